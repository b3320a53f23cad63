/**
 * MCP over streamable HTTP: the web server on a real loopback port with the MCP endpoint mounted
 * (as the binary mounts it), driven by OrchestratorMCPClient.connect (the SDK's HTTP client).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { fixtureAgent, openServerFixture, REVIEW_OK, TEST_TOKEN, type ServerFixture } from '../../test/helpers/server-fixture.js';
import { closeAllDatabases } from '../storage/database.js';
import { createMcpHttpEndpoint } from './http-endpoint.js';
import { OrchestratorMCPClient } from './orchestrator-client.js';

let fixture: ServerFixture | undefined;
const clients: OrchestratorMCPClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await fixture?.close();
  fixture = undefined;
  closeAllDatabases();
});

/** The server app with the MCP endpoint mounted (as the binary mounts it), on a loopback port. */
async function serveWithMcp(agents: Record<string, Record<string, unknown>>): Promise<{ url: string; token: string }> {
  fixture = await openServerFixture(
    { agents: { checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK }), ...agents }, workflows: { default: [{ agent: 'coder', task: 'implement' }, { agent: 'checker', task: 'review' }] } },
    { endpoints: [createMcpHttpEndpoint] },
  );
  const address = await fixture.server.app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${address}/mcp`, token: TEST_TOKEN };
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
    expect(fixture?.service.get(result.task_id)?.source).toBe('mcp');
  });

  it('lists every tool and answers each one over HTTP', async () => {
    const { url, token } = await serveWithMcp({ coder: fixtureAgent({ FAKE_STDOUT: 'implemented' }) });
    const client = new Client({ name: 'http-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
      expect(names).toEqual([
        'memory_search', 'orchestrator_cancel', 'orchestrator_events', 'orchestrator_execute', 'orchestrator_health', 'orchestrator_list_agents',
        'orchestrator_list_workflows', 'orchestrator_result', 'orchestrator_resume', 'orchestrator_start', 'orchestrator_status',
      ]);
      const call = async (name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
        const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
        expect(result.isError ?? false, `${name}: ${JSON.stringify(result.content)}`).toBe(false);
        return result.structuredContent ?? {};
      };
      const executed = await call('orchestrator_execute', { task: 'Run over HTTP' });
      const id = String(executed['task_id']);
      expect(executed['status']).toBe('completed');
      const started = await call('orchestrator_start', { task: 'Start over HTTP' });
      expect(await call('orchestrator_status', { task_id: id })).toMatchObject({ status: 'completed' });
      expect(((await call('orchestrator_events', { task_id: id }))['events'] as unknown[]).length).toBeGreaterThan(3);
      expect(await call('orchestrator_result', { task_id: id })).toMatchObject({ task_id: id });
      await call('orchestrator_cancel', { task_id: String(started['task_id']) });
      const resumed = (await client.callTool({ name: 'orchestrator_resume', arguments: { task_id: id } })) as CallToolResult;
      expect(resumed.isError).toBe(true); // a completed task cannot be resumed: a tool error with a message
      await call('orchestrator_list_agents');
      await call('orchestrator_list_workflows');
      await call('orchestrator_health');
      await call('memory_search', { query: 'HTTP', project: '.' });
    } finally {
      await client.close();
    }
  });

  it('cancels the task when the client cancels a running orchestrator_execute: the agent process is gone', async () => {
    const pidFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-pid-')), 'agent.pid');
    const { url, token } = await serveWithMcp({ coder: fixtureAgent({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) });
    const client = await OrchestratorMCPClient.connect(url, { token });
    clients.push(client);
    const controller = new AbortController();
    const running = client.executeTask({ task: 'Hang until the client gives up' }, { signal: controller.signal });
    const pid = await readPid(pidFile);
    controller.abort();
    await expect(running).rejects.toThrow();
    await waitGone(pid);
    expect(isAlive(pid)).toBe(false);
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
