/**
 * The MCP server through the SDK's own client over the in-memory transport pair, on a real task
 * service: fixture agents (test/fixtures/bin/fake-cli.mjs) as real processes, a real SQLite home.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { createTaskService, type TaskService } from '../service/task-service.js';
import { closeAllDatabases } from '../storage/database.js';
import { createMcpServer } from './server.js';

const FAKE_CLI = path.resolve(import.meta.dirname, '../../test/fixtures/bin/fake-cli.mjs');
const REVIEW_OK = 'Looks good.\n```json\n{"suggestions": []}\n```';

interface Harness {
  readonly client: Client;
  readonly service: TaskService;
  readonly root: string;
  readonly clientTransport: InMemoryTransport;
}

const open: Harness[] = [];

function generic(env: Record<string, string>): Record<string, unknown> {
  return { type: 'generic', command: FAKE_CLI, env };
}

async function connect(agents: Record<string, unknown>, workflows: Record<string, unknown>, settings: Record<string, unknown> = {}): Promise<Harness> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-mcp-'));
  const home = path.join(root, 'home');
  mkdirSync(home);
  const config = configSchema.parse({ agents, workflows, settings: { create_reports: false, enable_context_memory: false, max_iterations: 1, ...settings } });
  const logger = createLogger({ level: 'silent' });
  const service = createTaskService({ home, config, logger, baseDir: root });
  const server = createMcpServer(service, { home, logger, version: '0.0.0-test', baseDir: root });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  const harness = { client, service, root, clientTransport };
  open.push(harness);
  return harness;
}

function call(client: Client, name: string, args: Record<string, unknown> = {}, options: Parameters<Client['callTool']>[2] = {}): Promise<CallToolResult> {
  return client.callTool({ name, arguments: args }, undefined, options) as Promise<CallToolResult>;
}

function content(result: CallToolResult): Record<string, unknown> {
  expect(result.isError ?? false).toBe(false);
  return result.structuredContent ?? {};
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

function workDir(root: string, name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const THREE_STEPS = {
  agents: {
    impl: generic({ FAKE_STDOUT: 'implemented' }),
    rev: generic({ FAKE_STDOUT: REVIEW_OK }),
    fix: generic({ FAKE_STDOUT: 'refined result' }),
  },
  workflows: { trio: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }, { agent: 'fix', task: 'refine' }] },
};

afterEach(async () => {
  for (const harness of open.splice(0)) {
    await harness.client.close();
    await harness.service.close();
  }
  closeAllDatabases();
});

describe('the MCP server', () => {
  it('lists every tool with input and output schemas and read-only / destructive / idempotent annotations', async () => {
    const { client } = await connect(THREE_STEPS.agents, THREE_STEPS.workflows);
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual([
      'memory_search',
      'orchestrator_cancel',
      'orchestrator_events',
      'orchestrator_execute',
      'orchestrator_health',
      'orchestrator_list_agents',
      'orchestrator_list_workflows',
      'orchestrator_result',
      'orchestrator_resume',
      'orchestrator_start',
      'orchestrator_status',
    ]);
    for (const tool of tools) {
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe('boolean');
      expect(typeof tool.annotations?.destructiveHint, tool.name).toBe('boolean');
      expect(typeof tool.annotations?.idempotentHint, tool.name).toBe('boolean');
    }
    expect(byName.get('orchestrator_execute')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    expect(byName.get('orchestrator_status')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(byName.get('orchestrator_cancel')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(byName.get('orchestrator_execute')?.inputSchema.required).toEqual(['task']);
  });

  it('runs orchestrator_execute of a 3-step workflow to the end with a progress notification per step, as an ordinary mcp task', async () => {
    const { client, service, root } = await connect(THREE_STEPS.agents, THREE_STEPS.workflows);
    const progress: Progress[] = [];
    const result = await call(client, 'orchestrator_execute', { task: 'build the thing', workflow: 'trio', cwd: path.relative(root, workDir(root, 'w')) }, { onprogress: (p) => progress.push(p) });
    const body = content(result);
    expect(body).toMatchObject({
      success: true,
      workflow: 'trio',
      iterations: 1,
      steps: ['[OK] impl (implement)', '[OK] rev (review)', '[OK] fix (refine)'],
      final_output: 'refined result',
      status: 'completed',
    });
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(progress.map((p) => p.message)).toEqual([
      '[OK] impl (implement) — iteration 1/1, step 1/3',
      '[OK] rev (review) — iteration 1/1, step 2/3',
      '[OK] fix (refine) — iteration 1/1, step 3/3',
    ]);
    const task = service.get(String(body['task_id']));
    expect(task).toMatchObject({ source: 'mcp', status: 'completed', task: 'build the thing', cwd: path.join(root, 'w') });
    expect(service.list().map((t) => t.id)).toContain(body['task_id']);
    // The text content carries the same JSON for clients that read only text.
    const text = result.content[0];
    expect(text?.type === 'text' ? JSON.parse(text.text) : undefined).toEqual(body);
  });

  it('cancels the task and kills its agent when the client cancels orchestrator_execute', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'aio-mcp-pid-'));
    const pidFile = path.join(root, 'agent.pid');
    const { client, service } = await connect({ hang: generic({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) }, { only: [{ agent: 'hang', task: 'implement' }] });
    const abort = new AbortController();
    const running = call(client, 'orchestrator_execute', { task: 'never ends', workflow: 'only' }, { signal: abort.signal });
    const pid = await readPid(pidFile);
    expect(isAlive(pid)).toBe(true);
    abort.abort('user pressed stop');
    await expect(running).rejects.toThrow(/user pressed stop/);
    expect(await waitGone(pid)).toBe(true);
    const [task] = service.list();
    await expect.poll(() => service.get(task?.id ?? '')?.status).toBe('cancelled');
  });

  it('cancels the task and kills its agent when the connection closes mid-execute', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'aio-mcp-pid-'));
    const pidFile = path.join(root, 'agent.pid');
    const { client, service, clientTransport } = await connect({ hang: generic({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) }, { only: [{ agent: 'hang', task: 'implement' }] });
    const running = call(client, 'orchestrator_execute', { task: 'never ends', workflow: 'only' });
    const pid = await readPid(pidFile);
    await clientTransport.close();
    await expect(running).rejects.toThrow(/closed/i);
    expect(await waitGone(pid)).toBe(true);
    const [task] = service.list();
    await expect.poll(() => service.get(task?.id ?? '')?.status).toBe('cancelled');
  });

  it('starts a task at once, reports its status and events, cancels it, shows its result and resumes it', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'aio-mcp-pid-'));
    const pidFile = path.join(root, 'agent.pid');
    const { client, service } = await connect({ hang: generic({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) }, { only: [{ agent: 'hang', task: 'implement' }] });
    const started = content(await call(client, 'orchestrator_start', { task: 'long job', workflow: 'only' }));
    const taskId = String(started['task_id']);
    expect(service.get(taskId)?.source).toBe('mcp');
    const pid = await readPid(pidFile);

    await expect.poll(async () => content(await call(client, 'orchestrator_status', { task_id: taskId }))['current_step']).toMatchObject({ agent: 'hang', role: 'implement', iteration: 1, index: 0 });
    const status = content(await call(client, 'orchestrator_status', { task_id: taskId.slice(0, 8) }));
    expect(status).toMatchObject({ task_id: taskId, status: 'in_progress', task: 'long job', workflow: 'only', source: 'mcp', finished_at: null });

    const first = content(await call(client, 'orchestrator_events', { task_id: taskId, since: 0, limit: 2 }));
    expect(first).toMatchObject({ task_id: taskId, next_since: 2, finished: false });
    expect((first['events'] as { seq: number; type: string }[]).map((e) => [e.seq, e.type])).toEqual([[1, 'task.created'], [2, 'task.planned']]);
    const rest = content(await call(client, 'orchestrator_events', { task_id: taskId, since: 2 }));
    expect((rest['events'] as { seq: number }[])[0]?.seq).toBe(3);

    const running = content(await call(client, 'orchestrator_result', { task_id: taskId }));
    expect(running).toMatchObject({ finished: false, status: 'in_progress', final_output: '' });

    const cancelled = content(await call(client, 'orchestrator_cancel', { task_id: taskId }));
    expect(cancelled).toEqual({ task_id: taskId, status: 'cancelled', cancelled: true });
    expect(await waitGone(pid)).toBe(true);
    expect(content(await call(client, 'orchestrator_cancel', { task_id: taskId }))).toEqual({ task_id: taskId, status: 'cancelled', cancelled: false });

    const ended = content(await call(client, 'orchestrator_result', { task_id: taskId }));
    expect(ended).toMatchObject({ task_id: taskId, finished: true, success: false, status: 'cancelled', workflow: 'only' });
    const all = content(await call(client, 'orchestrator_events', { task_id: taskId }));
    expect(all['finished']).toBe(true);
    expect((all['events'] as { type: string }[]).at(-1)?.type).toBe('task.finished');

    const resumed = content(await call(client, 'orchestrator_resume', { task_id: taskId }));
    expect(resumed['task_id']).toBe(taskId);
    const resumedPid = await readPid(pidFile).then(async (old) => (old === pid ? waitForNewPid(pidFile, pid) : old));
    expect(isAlive(resumedPid)).toBe(true);
    await call(client, 'orchestrator_cancel', { task_id: taskId });
    expect(await waitGone(resumedPid)).toBe(true);
  });

  it('lists agents and workflows in the seed shapes and answers health', async () => {
    const { client } = await connect(
      { impl: generic({}), rev: { ...generic({}), enabled: false }, gone: { type: 'generic', command: 'no-such-command-here' } },
      { trio: [{ agent: 'impl', task: 'implement' }, { agent: 'gone', task: 'review', fallback: 'impl' }] },
    );
    const agents = content(await call(client, 'orchestrator_list_agents'));
    expect(agents['count']).toBe(3);
    expect(agents['agents']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'impl', type: 'generic', available: true, enabled: true, circuit: 'closed' }),
        expect.objectContaining({ name: 'rev', enabled: false }),
        expect.objectContaining({ name: 'gone', available: false }),
      ]),
    );
    const workflows = content(await call(client, 'orchestrator_list_workflows'));
    expect(workflows).toMatchObject({ count: 1, workflows: [{ name: 'trio', offline: false, steps: [{ agent: 'impl', task: 'implement', fallback: null }, { agent: 'gone', task: 'review', fallback: 'impl' }] }] });
    const health = content(await call(client, 'orchestrator_health'));
    expect(health).toMatchObject({ status: 'healthy', agents: 2, agent_names: ['impl', 'gone'], available_agents: ['impl'], workflows: ['trio'], offline_mode: false, running_tasks: 0 });
    expect(Date.parse(String(health['timestamp']))).not.toBeNaN();
  });

  it('reports degraded health when no enabled agent can run here', async () => {
    const { client } = await connect({ gone: { type: 'generic', command: 'no-such-command-here' } }, { only: [{ agent: 'gone', task: 'implement' }] });
    expect(content(await call(client, 'orchestrator_health'))).toMatchObject({ status: 'degraded', available_agents: [] });
  });

  it("searches one project's memory: a finished task is found there and not in another project", async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'aio-mcp-mem-'));
    const project = workDir(base, 'shop');
    writeFileSync(path.join(project, 'README.md'), '# shop\n');
    const other = workDir(base, 'blog');
    const { client } = await connect(THREE_STEPS.agents, THREE_STEPS.workflows, { enable_context_memory: true, project_path: project });
    content(await call(client, 'orchestrator_execute', { task: 'add a pagination cursor to the invoices endpoint', workflow: 'trio', cwd: project }));
    const found = content(await call(client, 'memory_search', { query: 'pagination invoices', project }));
    expect(found['count']).toBeGreaterThan(0);
    expect((found['results'] as { type: string; title: string }[])[0]).toMatchObject({ type: 'task' });
    expect(JSON.stringify(found['results'])).toContain('pagination cursor');
    const elsewhere = content(await call(client, 'memory_search', { query: 'pagination invoices', project: other }));
    expect(elsewhere['count']).toBe(0);
    expect(errorText(await call(client, 'memory_search', { query: '  ', project }))).toMatch(/query/);
  });

  it('answers bad input with a tool error carrying a clear message, and starts nothing', async () => {
    const { client, service } = await connect(THREE_STEPS.agents, THREE_STEPS.workflows);
    expect(errorText(await call(client, 'orchestrator_execute', { task: 'x', workflow: 'nope' }))).toBe("Workflow 'nope' not found (available: trio)");
    expect(errorText(await call(client, 'orchestrator_start', { task: '   ' }))).toBe('Task description is empty');
    expect(errorText(await call(client, 'orchestrator_start', { task: 'x'.repeat(100_001) }))).toMatch(/too long/);
    expect(errorText(await call(client, 'orchestrator_start', { task: 'x', cwd: 'missing-dir' }))).toMatch(/does not exist/);
    expect(errorText(await call(client, 'orchestrator_start', { task: 'x', max_iterations: 0 }))).toMatch(/max_iterations/);
    expect(errorText(await call(client, 'orchestrator_status', { task_id: 'ffffffff' }))).toMatch(/ffffffff/);
    expect(errorText(await call(client, 'orchestrator_resume', { task_id: 'ffffffff' }))).toMatch(/ffffffff/);
    expect(service.list()).toEqual([]);
  });
});

async function waitForNewPid(file: string, old: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const pid = await readPid(file);
    if (pid !== old) return pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the resumed task started no new agent');
}
