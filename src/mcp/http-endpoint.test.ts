/**
 * MCP over streamable HTTP: `serve` on a real loopback port with the MCP endpoint mounted (as the
 * binary mounts it), driven by OrchestratorMCPClient.connect (the SDK's HTTP client transport).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { fixtureAgent, REVIEW_OK } from '../../test/helpers/server-fixture.js';
import { createLogger } from '../observability/logger.js';
import { startServer, type RunningServer } from '../server/start-server.js';
import { closeAllDatabases } from '../storage/database.js';
import { createMcpHttpEndpoint } from './http-endpoint.js';
import { OrchestratorMCPClient } from './orchestrator-client.js';

let server: RunningServer | undefined;
const clients: OrchestratorMCPClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await server?.close();
  server = undefined;
  closeAllDatabases();
});

async function serveWithMcp(agents: Record<string, Record<string, unknown>>): Promise<{ url: string; token: string }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-mcp-http-'));
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
    endpoints: [createMcpHttpEndpoint],
  });
  return { url: `${server.url}/mcp`, token: readFileSync(path.join(home, 'server-token'), 'utf8').trim() };
}

describe('MCP over streamable HTTP at /mcp of serve', () => {
  it('needs the token, then lists, executes with progress, and the task is an ordinary task of the server', async () => {
    const { url, token } = await serveWithMcp({ coder: fixtureAgent({ FAKE_STDOUT: 'implemented' }) });
    await expect(OrchestratorMCPClient.connect(url)).rejects.toThrow(/UNAUTHORIZED/);
    const client = await OrchestratorMCPClient.connect(url, { token });
    clients.push(client);
    expect(JSON.stringify(await client.listWorkflows())).toContain('default');
    const progress: Progress[] = [];
    const result = await client.executeTask({ task: 'Build it over HTTP' }, { onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ success: true, status: 'completed', steps: ['[OK] coder (implement)', '[OK] checker (review)'] });
    expect(progress.map((p) => p.progress)).toEqual([1, 2]);
    expect(server?.service.get(result.task_id)?.source).toBe('mcp');
  });

  it('starts, reads the status of and cancels a task: its agent process is gone', async () => {
    const pidFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-pid-')), 'agent.pid');
    const { url, token } = await serveWithMcp({ coder: fixtureAgent({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) });
    const client = await OrchestratorMCPClient.connect(url, { token });
    clients.push(client);
    const started = await client.startTask({ task: 'Hang over HTTP' });
    const pid = await readPid(pidFile);
    expect((await client.status(started.task_id)).task_id).toBe(started.task_id);
    expect(await client.cancel(started.task_id)).toMatchObject({ status: 'cancelled', cancelled: true });
    await waitGone(pid);
    expect(isAlive(pid)).toBe(false);
  });
});
