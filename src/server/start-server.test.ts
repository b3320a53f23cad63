/**
 * `serve` over a real loopback port: the token file, Socket.IO with the seed's event names and
 * replay by seq, the SSE stream across a reconnect, and shutdown cancelling running tasks.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLogger } from '../observability/logger.js';
import { closeAllDatabases } from '../storage/database.js';
import { fixtureAgent, REVIEW_OK } from '../../test/helpers/server-fixture.js';
import { isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { startServer, type RunningServer } from './start-server.js';

let server: RunningServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server?.close();
  server = undefined;
  closeAllDatabases();
});

async function serve(agents: Record<string, Record<string, unknown>>, env: Record<string, string> = {}): Promise<{ home: string; root: string; printed: string[] }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-serve-'));
  const home = path.join(root, 'home');
  mkdirSync(home);
  const configFile = path.join(root, 'agents.yaml');
  writeFileSync(
    configFile,
    stringify({
      agents: { checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK }), ...agents },
      workflows: { default: [{ agent: 'coder', task: 'implement' }, { agent: 'checker', task: 'review' }] },
      settings: { create_reports: false, enable_context_memory: false, max_iterations: 1 },
    }),
  );
  const printed: string[] = [];
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    home,
    env: { AI_ORCHESTRATOR_HOME: home, ...env },
    workspace: root,
    configPath: configFile,
    logger: createLogger({ level: 'silent' }),
    print: (line) => printed.push(line),
    handleSignals: false,
  });
  return { home, root, printed };
}

function tokenOf(home: string): string {
  return readFileSync(path.join(home, 'server-token'), 'utf8').trim();
}

function socketFor(url: string, token: string, clientId = 'tab'): Socket {
  const socket = connect(url, { auth: { token }, query: { client_id: clientId }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  return socket;
}

function once<T>(socket: Socket, name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    socket.once(name, (payload: T) => resolve(payload));
    socket.once('connect_error', reject);
  });
}

describe('serve', () => {
  it('keeps a generated token 0600 in the home, prints a login link, and refuses a non-loopback host without a token', async () => {
    const { home, printed } = await serve({ coder: fixtureAgent({ FAKE_STDOUT: 'done' }) });
    expect(statSync(path.join(home, 'server-token')).mode & 0o777).toBe(0o600);
    expect(printed.join('\n')).toMatch(/login\?code=/);
    expect(printed.join('\n')).not.toContain(tokenOf(home));
    await expect(
      startServer({ host: '0.0.0.0', port: 0, home, env: { AI_ORCHESTRATOR_HOME: home }, workspace: home, logger: createLogger({ level: 'silent' }), print: () => undefined, handleSignals: false }),
    ).rejects.toThrow(/AI_ORCHESTRATOR_TOKEN/);
  });

  it('sends the seed events and typed events over Socket.IO; a reconnect from a seq gets the rest once', async () => {
    const { home } = await serve({ coder: fixtureAgent({ FAKE_STDOUT: 'implemented', FAKE_SLEEP_MS: '300' }) });
    const url = server?.url ?? '';
    const refused = socketFor(url, 'wrong');
    await expect(once(refused, 'connected')).rejects.toThrow(/UNAUTHORIZED/);

    const socket = socketFor(url, tokenOf(home), 'tab-1');
    const connected = await once<Record<string, unknown>>(socket, 'connected');
    expect(Object.keys(connected).sort()).toEqual(['can_followup', 'client_id', 'message', 'status']);
    const seqs: number[] = [];
    const names: string[] = [];
    socket.on('task_event', (payload: { seq: number }) => seqs.push(payload.seq));
    for (const name of ['task_started', 'progress_log', 'task_completed']) socket.on(name, () => names.push(name));
    const completed = once<Record<string, unknown>>(socket, 'task_completed');
    const response = await fetch(`${url}/api/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenOf(home)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'live', client_id: 'tab-1' }),
    });
    const { task_id: taskId } = (await response.json()) as { task_id: string };
    const done = await completed;
    expect(Object.keys(done).sort()).toEqual(['can_followup', 'files', 'iterations', 'output', 'seq', 'success', 'task', 'task_id']);
    expect(done).toMatchObject({ task: 'live', success: true, output: REVIEW_OK, task_id: taskId });
    expect(names).toContain('task_started');
    expect(names).toContain('progress_log');
    const total = server?.service.events(taskId).length ?? 0;
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    // Another tab (or a reloaded page) asks from seq 4: gets 5..end, each once.
    const later = socketFor(url, tokenOf(home), 'tab-2');
    await once(later, 'connected');
    const replayed: number[] = [];
    later.on('task_event', (payload: { seq: number }) => replayed.push(payload.seq));
    const ended = once(later, 'task_completed');
    const ack = await later.emitWithAck('watch_task', { task_id: taskId, since: 4 });
    expect(ack).toEqual({ ok: true, task_id: taskId });
    await ended;
    expect(replayed).toEqual(Array.from({ length: total - 4 }, (_, i) => i + 5));
  });

  it('on shutdown cancels the running task: its agent is gone and it is stored cancelled', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'aio-serve-pid-'));
    const pidFile = path.join(root, 'agent.pid');
    await serve({ coder: fixtureAgent({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) });
    const running = server;
    const submitted = running?.service.submit({ task: 'hang', source: 'api' });
    const pid = await readPid(pidFile);
    expect(isAlive(pid)).toBe(true);
    await running?.close();
    expect(await waitGone(pid)).toBe(true);
    expect(running?.service.get(submitted?.taskId ?? '')?.status).toBe('cancelled');
  });

  it('never stores the token: not in events, outputs or the audit log, which records a failed login without what was sent', async () => {
    const { home } = await serve({ coder: fixtureAgent({ FAKE_ECHO: '1' }) });
    const token = tokenOf(home);
    const url = server?.url ?? '';
    const refused = await fetch(`${url}/api/tasks`, { headers: { authorization: 'Bearer not-the-token-1234' } });
    expect(refused.status).toBe(401);
    const response = await fetch(`${url}/api/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ task: `use the key ${token} please` }),
    });
    const { task_id: taskId } = (await response.json()) as { task_id: string };
    for await (const stored of server?.service.watch(taskId) ?? []) void stored;
    const events = JSON.stringify(server?.service.events(taskId));
    expect(events).toContain('use the key');
    expect(events).not.toContain(token);
    const audit = readFileSync(path.join(home, 'audit.log'), 'utf8');
    expect(audit).toContain('"auth.failed"');
    expect(audit).toContain('"task.submitted"');
    expect(audit).not.toContain(token);
    expect(audit).not.toContain('not-the-token-1234');
  });
});
