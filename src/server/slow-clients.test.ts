/**
 * A live-events client that stops reading — a Socket.IO long-polling client that stops polling, an
 * SSE client that stops reading its socket — is disconnected (what was queued for it dropped with
 * it) instead of being buffered by the server, and on reconnect from the last seq it saw gets every
 * other event exactly once. The limits are the server's `slowClients` option, made quick here.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLogger } from '../observability/logger.js';
import { closeAllDatabases } from '../storage/database.js';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import { fixtureAgent, REVIEW_OK } from '../../test/helpers/server-fixture.js';
import { startServer, type RunningServer } from './start-server.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  closeAllDatabases();
});

const FLOOD = { type: 'generic', command: path.join(REPO_ROOT, 'test/fixtures/bin/flood-agent.mjs'), env: { FLOOD_BYTES: String(8 * 1024 * 1024), FLOOD_LINE_BYTES: '1000' } };

async function serveQuickDrop(coder: Record<string, unknown> = fixtureAgent({ FAKE_STDOUT: 'implemented', FAKE_STDERR: 'one\ntwo\nthree\nfour\n' })): Promise<{ url: string; token: string; taskId: string; total: number }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-slow-'));
  const home = path.join(root, 'home');
  mkdirSync(home);
  const configFile = path.join(root, 'agents.yaml');
  writeFileSync(
    configFile,
    stringify({
      agents: { coder, checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK }) },
      // Three coder steps: a few megabytes of events when the coder floods its output.
      workflows: { default: [{ agent: 'coder', task: 'implement' }, { agent: 'coder', task: 'implement' }, { agent: 'coder', task: 'implement' }, { agent: 'checker', task: 'review' }] },
      settings: { create_reports: false, enable_context_memory: false, max_iterations: 1, output_limit_bytes: 16 * 1024 * 1024 },
    }),
  );
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    home,
    env: { AI_ORCHESTRATOR_HOME: home },
    workspace: root,
    configPath: configFile,
    logger: createLogger({ level: 'silent' }),
    print: () => undefined,
    handleSignals: false,
    slowClients: { maxQueuedPackets: 5, drainTimeoutMs: 200 },
  });
  const submitted = server.service.submit({ task: 'many events', workflow: 'default' });
  await submitted.done;
  const taskId = submitted.taskId;
  return { url: server.url, token: readFileSync(path.join(home, 'server-token'), 'utf8').trim(), taskId, total: server.service.events(taskId, { limit: 1_000_000 }).length };
}

/** Engine.IO long-polling by hand: a client that can stop asking for packets. */
function pollingClient(url: string, token: string) {
  const headers = { authorization: `Bearer ${token}` };
  let sid = '';
  const endpoint = (): string => `${url}/socket.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`;
  return {
    async open(): Promise<void> {
      const handshake = await (await fetch(endpoint(), { headers })).text();
      sid = (JSON.parse(handshake.slice(1)) as { sid: string }).sid;
      await this.send(`40${JSON.stringify({ token })}`);
    },
    async send(packet: string): Promise<void> {
      const response = await fetch(endpoint(), { method: 'POST', headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' }, body: packet });
      expect(await response.text()).toBe('ok');
    },
    /** One poll: the packets queued for us, or the HTTP status when the session is gone. */
    async poll(): Promise<{ status: number; packets: string[] }> {
      const response = await fetch(endpoint(), { headers, signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      return { status: response.status, packets: response.ok ? body.split('\x1e') : [] };
    },
  };
}

/**
 * An SSE request over HTTP/1.0 (no chunked framing) on a socket that is not read for `stallMs`,
 * then read to its end: the frames' ids, and whether the stream ended with its `end` event.
 */
async function stalledSse(url: string, token: string, taskId: string, lastEventId: number | undefined, stallMs: number): Promise<{ ids: number[]; ended: boolean }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.pause();
  socket.write(
    [`GET /api/tasks/${taskId}/events HTTP/1.0`, `Host: ${hostname}:${port}`, `Authorization: Bearer ${token}`, ...(lastEventId === undefined ? [] : [`Last-Event-ID: ${lastEventId}`]), '', ''].join('\r\n'),
  );
  await new Promise((resolve) => setTimeout(resolve, stallMs));
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.resume();
  await new Promise((resolve) => socket.once('close', resolve));
  const body = Buffer.concat(chunks).toString('utf8');
  // Only whole frames count: a frame cut by the disconnect was not received.
  const frames = body.split('\n\n').slice(0, -1);
  const ids = frames.flatMap((frame) => /^id: (\d+)$/m.exec(frame)?.[1] ?? []).map(Number);
  return { ids, ended: frames.some((frame) => frame.startsWith('event: end')) };
}

function seqsOf(packets: readonly string[]): number[] {
  return packets.filter((packet) => packet.startsWith('42["task_event"')).map((packet) => (JSON.parse(packet.slice(2)) as [string, { seq: number }])[1].seq);
}

describe('slow live-events clients', () => {
  it('a Socket.IO client that stops polling is dropped with its queue; it reconnects from its last seq and gets every other event once', async () => {
    const { url, token, taskId, total } = await serveQuickDrop();
    expect(total).toBeGreaterThan(10);
    const slow = pollingClient(url, token);
    await slow.open();
    await slow.send(`42${JSON.stringify(['watch_task', { task_id: taskId, since: 0 }])}`);
    // It reads once, then never again.
    const first = await slow.poll();
    const seen = seqsOf(first.packets);
    expect(seen.length).toBeLessThan(total);

    // The server gave up on it: the session (and everything queued for it) is gone.
    // (Asking again would be reading, so wait well past the drain timeout first.)
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await slow.poll()).status).toBe(400);

    const since = seen.at(-1) ?? 0;
    const socket = connect(url, { auth: { token }, extraHeaders: { authorization: `Bearer ${token}` }, transports: ['websocket'], reconnection: false });
    try {
      const rest: number[] = [];
      socket.on('task_event', (payload: { seq: number }) => rest.push(payload.seq));
      await new Promise((resolve) => socket.once('connected', resolve));
      expect(await socket.emitWithAck('watch_task', { task_id: taskId, since })).toEqual({ ok: true, task_id: taskId });
      await expect.poll(() => rest.length, { timeout: 5_000 }).toBe(total - since);
      expect([...seen, ...rest]).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    } finally {
      socket.close();
    }
  });

  it('an SSE client that stops reading is disconnected; with Last-Event-ID it gets every other event once', async () => {
    const { url, token, taskId, total } = await serveQuickDrop(FLOOD);
    // Megabytes of step output in the log: more than the loopback socket's buffers hold.
    const stalled = await stalledSse(url, token, taskId, undefined, 1_500);
    expect(stalled.ended).toBe(false);
    expect(stalled.ids.length).toBeLessThan(total);
    expect(stalled.ids).toEqual(Array.from({ length: stalled.ids.length }, (_, i) => i + 1));

    const last = stalled.ids.at(-1) ?? 0;
    const rest = await stalledSse(url, token, taskId, last, 0);
    expect(rest.ended).toBe(true);
    expect([...stalled.ids, ...rest.ids]).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });
});
