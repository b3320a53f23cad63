/**
 * `ai-orchestrator mcp` as a coding assistant starts it: a real child process spoken to over
 * stdin/stdout by the SDK's StdioClientTransport, with agents that print on stdout and stderr and
 * debug logging on — every line on the server's stdout must be a JSON-RPC message.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, JSONRPCMessage, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CLI, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { isAlive, readPid, waitGone } from '../helpers/fake-cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const REVIEW_OK = 'Looks complete.\n```json\n{"suggestions": []}\n```\n';

interface Server {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  /** Everything that arrived on the server's stdout, as parsed by the transport. */
  readonly messages: JSONRPCMessage[];
  /** Lines on stdout the transport could not read as JSON-RPC. */
  readonly errors: Error[];
  readonly stderr: () => string;
  readonly env: Record<string, string>;
  readonly config: string;
  readonly work: string;
}

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

function fake(env: Record<string, string>): Record<string, unknown> {
  return { type: 'generic', command: FAKE_CLI, env, timeout: 120 };
}

async function startServer(agents: Record<string, unknown>, workflows: Record<string, unknown>): Promise<Server> {
  const home = tempDir('aio-mcp-home-');
  const work = tempDir('aio-mcp-work-');
  const config = path.join(tempDir('aio-mcp-cfg-'), 'agents.yaml');
  writeFileSync(config, stringify({ agents, workflows, settings: { max_iterations: 1, create_reports: false } }));
  const env = { ...(process.env as Record<string, string>), AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' };
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--verbose', '--config', config, 'mcp'], cwd: work, env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    messages.push(message);
    receive?.(message);
  };
  clients.push(client);
  return { client, transport, messages, errors, stderr: () => stderr, env: { AI_ORCHESTRATOR_HOME: home }, config, work };
}

function call(client: Client, name: string, args: Record<string, unknown> = {}, options: Parameters<Client['callTool']>[2] = {}): Promise<CallToolResult> {
  return client.callTool({ name, arguments: args }, undefined, options) as Promise<CallToolResult>;
}

describe('ai-orchestrator mcp over stdio', () => {
  it('runs a 3-step workflow with progress while agents print on stdout and stderr: stdout carries only JSON-RPC, and the task is an ordinary one', async () => {
    const noisy = { FAKE_STDERR: 'agent noise on stderr\n' };
    const server = await startServer(
      {
        impl: fake({ ...noisy, FAKE_STDOUT: 'implemented\nnot json {\n' }),
        rev: fake({ ...noisy, FAKE_STDOUT: REVIEW_OK }),
        fix: fake({ ...noisy, FAKE_STDOUT: 'refined\n' }),
      },
      { trio: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }, { agent: 'fix', task: 'refine' }] },
    );
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toContain('orchestrator_execute');
    const progress: Progress[] = [];
    const result = await call(server.client, 'orchestrator_execute', { task: 'make it so', workflow: 'trio' }, { onprogress: (p) => progress.push(p) });
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toMatchObject({ success: true, steps: ['[OK] impl (implement)', '[OK] rev (review)', '[OK] fix (refine)'], final_output: 'refined' });
    // What the server sent, in order: a progress notification per step, all before the result.
    const taskIdOf = (m: JSONRPCMessage): unknown => ('result' in m ? (m.result as { structuredContent?: { task_id?: unknown } }).structuredContent?.task_id : undefined);
    const resultAt = server.messages.findIndex((m) => taskIdOf(m) === result.structuredContent?.['task_id']);
    const sent = server.messages.flatMap((m, index) => ('method' in m && m.method === 'notifications/progress' ? [{ index, progress: (m.params as { progress: number }).progress }] : []));
    expect(sent.map((n) => n.progress)).toEqual([1, 2, 3]);
    expect(sent.every((n) => n.index < resultAt)).toBe(true);
    // The SDK's client hands notifications to their handler a microtask later but settles a
    // response at once: when the last notification and the result arrive in one read (a loaded
    // machine), it has dropped the call's progress handler and reports that notification as one
    // for an unknown token. What reached the callback is still every step in order, up to then.
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3].slice(0, progress.length));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(content(await call(server.client, 'orchestrator_list_agents'))['count']).toBe(3);

    expect(server.errors.filter((e) => !e.message.startsWith('Received a progress notification for an unknown token'))).toEqual([]);
    expect(server.messages.length).toBeGreaterThanOrEqual(6);
    expect(server.messages.every((m) => m.jsonrpc === '2.0')).toBe(true);
    // Debug logs went to stderr, agents' output went nowhere.
    expect(server.stderr()).toMatch(/MCP server ready on stdio/);
    expect(server.stderr()).not.toContain('agent noise on stderr');
    expect(JSON.stringify(server.messages)).not.toContain('not json {');

    const taskId = String(result.structuredContent?.['task_id']);
    const listed = await runCli(['tasks', 'list', '--json', '--config', server.config], { env: server.env });
    const tasks = (JSON.parse(listed.stdout) as { tasks: { task_id: string; source: string; status: string }[] }).tasks;
    expect(tasks.find((t) => t.task_id === taskId)).toMatchObject({ source: 'mcp', status: 'completed' });
  });

  it('start, status and cancel over stdio stop the agent; closing the connection mid-execute kills its agent and ends the server', async () => {
    const pids = tempDir('aio-mcp-pids-');
    const server = await startServer(
      { hang: fake({ FAKE_HANG: '1', FAKE_PID_FILE: path.join(pids, 'hang.pid') }) },
      { only: [{ agent: 'hang', task: 'implement' }] },
    );
    const started = content(await call(server.client, 'orchestrator_start', { task: 'long job', workflow: 'only' }));
    const taskId = String(started['task_id']);
    const pid = await readPid(path.join(pids, 'hang.pid'));
    await expect.poll(async () => content(await call(server.client, 'orchestrator_status', { task_id: taskId }))['status']).toBe('in_progress');
    expect(content(await call(server.client, 'orchestrator_cancel', { task_id: taskId }))).toMatchObject({ status: 'cancelled', cancelled: true });
    expect(await waitGone(pid)).toBe(true);

    writeFileSync(path.join(pids, 'hang.pid'), '');
    const running = call(server.client, 'orchestrator_execute', { task: 'never ends', workflow: 'only' });
    const second = await readPid(path.join(pids, 'hang.pid'));
    expect(isAlive(second)).toBe(true);
    const serverPid = server.transport.pid;
    await server.client.close();
    await expect(running).rejects.toThrow(/closed/i);
    expect(await waitGone(second, 5_000)).toBe(true);
    expect(serverPid !== null && (await waitGone(serverPid, 5_000))).toBe(true);
    const listed = await runCli(['tasks', 'list', '--json', '--config', server.config], { env: server.env });
    const tasks = (JSON.parse(listed.stdout) as { tasks: { task: string; status: string }[] }).tasks;
    expect(tasks.map((t) => [t.task, t.status]).sort()).toEqual([['long job', 'cancelled'], ['never ends', 'cancelled']]);
    expect(server.errors).toEqual([]);
  });
});

function content(result: CallToolResult): Record<string, unknown> {
  expect(result.isError ?? false).toBe(false);
  return result.structuredContent ?? {};
}
