/**
 * The task service in one process, with real fixture agents (test/fixtures/bin), a real SQLite
 * home and the real engine, resilience and recorder.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { OrchestratorEvent, StoredEvent } from '../events/events.js';
import { createLogger } from '../observability/logger.js';
import { closeAllDatabases, databasePath, openDatabase } from '../storage/database.js';
import { createTaskService, type TaskService } from './task-service.js';

const FAKE_CLI = path.resolve(import.meta.dirname, '../../test/fixtures/bin/fake-cli.mjs');
const REVIEW_OK = 'Looks good.\n```json\n{"suggestions": []}\n```';

type Agents = Record<string, Record<string, unknown>>;

function generic(env: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'generic', command: FAKE_CLI, env, ...extra };
}

function openService(agents: Agents, workflows: Record<string, unknown>, settings: Record<string, unknown> = {}): { service: TaskService; home: string; root: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-service-'));
  const home = path.join(root, 'home');
  mkdirSync(home);
  const config = configSchema.parse({ agents, workflows, settings: { create_reports: false, enable_context_memory: false, ...settings } });
  const service = createTaskService({ home, config, logger: createLogger({ level: 'silent' }), baseDir: root });
  return { service, home, root };
}

function workDir(root: string, name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function collect(stream: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const stored of stream) events.push(stored);
  return events;
}

function typesOf(events: readonly StoredEvent[]): OrchestratorEvent['type'][] {
  return events.map((e) => e.event.type);
}

afterEach(() => closeAllDatabases());

describe('the task service', () => {
  it('runs two tasks in one process at once, each recording only its own events, steps, calls and agent pids', async () => {
    const agents = {
      alpha: generic({ FAKE_STDOUT: 'alpha done', FAKE_SLEEP_MS: '600' }),
      beta: generic({ FAKE_STDOUT: 'beta done', FAKE_SLEEP_MS: '600' }),
      check: generic({ FAKE_STDOUT: REVIEW_OK }),
    };
    const { service, home, root } = openService(agents, {
      a: [{ agent: 'alpha', task: 'implement' }, { agent: 'check', task: 'review' }],
      b: [{ agent: 'beta', task: 'implement' }, { agent: 'check', task: 'review' }],
    }, { max_iterations: 1 });
    const first = service.submit({ task: 'task A', workflow: 'a', cwd: workDir(root, 'a') });
    const second = service.submit({ task: 'task B', workflow: 'b', cwd: workDir(root, 'b') });
    expect(service.running().sort()).toEqual([first.taskId, second.taskId].sort());
    const [ra, rb] = await Promise.all([first.done, second.done]);
    expect([ra.status, rb.status]).toEqual(['completed', 'completed']);

    for (const [result, own, other] of [[ra, 'alpha', 'beta'], [rb, 'beta', 'alpha']] as const) {
      const events = service.events(result.taskId);
      expect(events.every((e) => e.event.taskId === result.taskId)).toBe(true);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const agentsSeen = events.flatMap((e) => ('agent' in e.event ? [e.event.agent] : []));
      expect(agentsSeen).toContain(own);
      expect(agentsSeen).not.toContain(other);
      expect(service.steps(result.taskId).map((s) => s.agent)).toEqual([own, 'check']);
      expect(result.finalOutput).toBe(REVIEW_OK);
    }
    // Agent pids: each task's started agents are its own processes.
    const pids = (taskId: string): number[] =>
      service.events(taskId).flatMap((e) => (e.event.type === 'agent.started' ? [e.event.pid] : []));
    expect(pids(ra.taskId)).toHaveLength(2);
    expect(pids(ra.taskId).filter((pid) => pids(rb.taskId).includes(pid))).toEqual([]);
    // Call records carry the task that made them.
    const calls = openDatabase(databasePath(home)).prepare<[], { agent: string; task_id: string }>('SELECT agent, task_id FROM agent_calls').all();
    expect(calls.filter((c) => c.agent === 'alpha').map((c) => c.task_id)).toEqual([ra.taskId]);
    expect(calls.filter((c) => c.agent === 'beta').map((c) => c.task_id)).toEqual([rb.taskId]);
    expect(calls.filter((c) => c.agent === 'check').map((c) => c.task_id).sort()).toEqual([ra.taskId, rb.taskId].sort());
  });

  it('queues a second task on the same working tree until the first ends', async () => {
    const { service, root } = openService(
      { slow: generic({ FAKE_STDOUT: 'done', FAKE_SLEEP_MS: '500' }) },
      { only: [{ agent: 'slow', task: 'implement' }] },
      { max_iterations: 1 },
    );
    const cwd = workDir(root, 'shared');
    const first = service.submit({ task: 'first', workflow: 'only', cwd });
    const second = service.submit({ task: 'second', workflow: 'only', cwd });
    await Promise.all([first.done, second.done]);
    const a = service.events(first.taskId);
    const b = service.events(second.taskId);
    const queued = b.find((e) => e.event.type === 'task.queued')?.event;
    expect(queued).toMatchObject({ waitingFor: first.taskId, cwd });
    const firstEnd = a.find((e) => e.event.type === 'task.finished')?.event.timestamp ?? '';
    const secondStart = b.find((e) => e.event.type === 'task.started')?.event.timestamp ?? '';
    expect(secondStart >= firstEnd).toBe(true);
    expect(typesOf(a)).not.toContain('task.queued');
  });

  it('runs at most settings.max_parallel_tasks at once: the next waits queued for a slot, and a cancel while it waits ends it', async () => {
    const { service, root } = openService(
      { slow: generic({ FAKE_STDOUT: 'done', FAKE_SLEEP_MS: '500' }) },
      { only: [{ agent: 'slow', task: 'implement' }] },
      { max_iterations: 1, max_parallel_tasks: 1 },
    );
    const first = service.submit({ task: 'first', workflow: 'only', cwd: workDir(root, 'one') });
    const second = service.submit({ task: 'second', workflow: 'only', cwd: workDir(root, 'two') });
    const third = service.submit({ task: 'third', workflow: 'only', cwd: workDir(root, 'three') });
    await service.cancel(third.taskId);
    const [a, b, c] = await Promise.all([first.done, second.done, third.done]);
    expect([a.status, b.status, c.status]).toEqual(['completed', 'completed', 'cancelled']);
    expect(c.steps).toEqual([]);
    const queued = service.events(second.taskId).find((e) => e.event.type === 'task.queued')?.event;
    expect(queued).toMatchObject({ reason: 'capacity', waitingFor: first.taskId });
    const firstEnd = service.events(first.taskId).find((e) => e.event.type === 'task.finished')?.event.timestamp ?? '';
    const secondStart = service.events(second.taskId).find((e) => e.event.type === 'task.started')?.event.timestamp ?? '';
    expect(secondStart >= firstEnd).toBe(true);
  });

  it('replays a task from any seq and then follows it live, without gap or duplicate', async () => {
    const { service, root } = openService(
      { impl: generic({ FAKE_STDOUT: 'step output', FAKE_SLEEP_MS: '300' }), rev: generic({ FAKE_STDOUT: REVIEW_OK, FAKE_SLEEP_MS: '300' }) },
      { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }] },
      { max_iterations: 1 },
    );
    const submitted = service.submit({ task: 'watch me', cwd: workDir(root, 'w') });
    // One watcher from the start, one that joins after the first step with `since`.
    const fromStart = collect(service.watch(submitted.taskId));
    for await (const stored of service.watch(submitted.taskId)) if (stored.event.type === 'step.finished') break;
    const joinAt = service.events(submitted.taskId).find((e) => e.event.type === 'step.finished')?.seq ?? 0;
    const late = await collect(service.watch(submitted.taskId, { since: joinAt }));
    const all = await fromStart;
    await submitted.done;
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)?.event.type).toBe('task.finished');
    expect(late.map((e) => e.seq)).toEqual(all.filter((e) => e.seq > joinAt).map((e) => e.seq));
    expect(typesOf(all)).toEqual(expect.arrayContaining(['task.created', 'task.planned', 'task.started', 'agent.started', 'step.started', 'step.output', 'step.finished', 'iteration.finished', 'task.finished']));
  });

  it('runs the dynamic planner inside the task: its call is recorded under the task and a cancel stops it', async () => {
    const { service, home, root } = openService(
      { claude: generic({ FAKE_HANG: '1' }), codex: generic({ FAKE_STDOUT: 'x' }) },
      {},
      { max_iterations: 1 },
    );
    const submitted = service.submit({ task: 'plan this', workflow: 'dynamic', cwd: workDir(root, 'p') });
    for await (const stored of service.watch(submitted.taskId)) if (stored.event.type === 'agent.started') break;
    const cancelled = await service.cancel(submitted.taskId);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: true });
    const result = await submitted.done;
    expect(result.status).toBe('cancelled');
    const planner = service.events(submitted.taskId).find((e) => e.event.type === 'agent.started')?.event;
    expect(planner).toMatchObject({ agent: 'claude' });
    const calls = openDatabase(databasePath(home)).prepare<[], { role: string; task_id: string; failure_kind: string }>('SELECT role, task_id, failure_kind FROM agent_calls').all();
    expect(calls).toEqual([{ role: 'plan', task_id: submitted.taskId, failure_kind: 'cancelled' }]);
  });

  it('publishes retries and circuit changes as events of the task whose call caused them', async () => {
    const failing = generic({ FAKE_STDERR: 'API error: 500 Internal Server Error', FAKE_EXIT: '1' }, {
      resilience: { retry: { max_attempts: 2, base_delay: 0.01, max_delay: 0.02 }, circuit_breaker: { failure_threshold: 2 } },
    });
    const { service, root } = openService({ flaky: failing }, { only: [{ agent: 'flaky', task: 'implement' }] }, { max_iterations: 1 });
    const submitted = service.submit({ task: 'retry me', workflow: 'only', cwd: workDir(root, 'r') });
    const result = await submitted.done;
    expect(result.status).toBe('failed');
    const events = service.events(submitted.taskId).map((e) => e.event);
    expect(events.find((e) => e.type === 'agent.retrying')).toMatchObject({ agent: 'flaky', attempt: 1, maxAttempts: 2, iteration: 1, index: 0, error: { kind: 'server' } });
    expect(events.find((e) => e.type === 'circuit.changed')).toMatchObject({ agent: 'flaky', from: 'closed', to: 'open' });
  });

  it('publishes what an agent is doing as one-line activity, and its stderr as bounded, redacted lines', async () => {
    const claude = { type: 'claude', command: path.resolve(import.meta.dirname, '../../test/fixtures/bin/fake-claude.mjs'), env: { FAKE_SCENARIO: 'success' } };
    // The key is one of the agent's configured secrets, so it is redacted wherever it appears.
    const noisy = generic({ FAKE_STDOUT: REVIEW_OK, FAKE_STDERR: `warming up\nusing token sk-live-abcdefghijklmnop\n${'x'.repeat(2000)}\n`, NOISY_API_KEY: 'sk-live-abcdefghijklmnop' });
    const { service, root } = openService({ claude, noisy }, { default: [{ agent: 'claude', task: 'implement' }, { agent: 'noisy', task: 'review' }] }, { max_iterations: 1 });
    const result = await service.submit({ task: 'create hello.txt', cwd: workDir(root, 'act') }).done;
    expect(result.status).toBe('completed');
    const events = service.events(result.taskId).map((e) => e.event);
    const activity = events.flatMap((e) => (e.type === 'step.activity' ? [e.activity] : []));
    expect(activity).toEqual(['Write hello.txt', 'creating hello.txt']);
    const stderr = events.flatMap((e) => (e.type === 'agent.stderr' ? [e.line] : []));
    expect(stderr[0]).toBe('warming up');
    expect(stderr[1]).not.toContain('sk-live-abcdefghijklmnop');
    expect(stderr[2]?.length).toBeLessThanOrEqual(500);
  });

  it('stores what the user typed, and a follow-up links its previous task while its agents get the composed prompt', async () => {
    const { service, root } = openService(
      { echo: generic({ FAKE_ECHO: '1' }) },
      { only: [{ agent: 'echo', task: 'raw' }] },
      { max_iterations: 1 },
    );
    const cwd = workDir(root, 'f');
    const first = await service.submit({ task: 'first request', workflow: 'only', cwd, source: 'shell' }).done;
    const second = await service.submit({ task: 'and then this', workflow: 'only', cwd, source: 'shell', followUpOf: first.taskId }).done;
    expect(service.get(second.taskId)).toMatchObject({ task: 'and then this', followUpOf: first.taskId, source: 'shell' });
    expect(second.finalOutput).toContain('Previous task: first request');
    expect(second.finalOutput).toContain('Follow-up: and then this');
    const created = service.events(second.taskId)[0]?.event;
    expect(created).toMatchObject({ type: 'task.created', task: 'and then this', followUpOf: first.taskId });
  });

  it('keeps a step\'s whole output in a private file when settings.keep_full_output is on, while what it stores is cut', async () => {
    const big = `${'a'.repeat(3000)} key sk-live-abcdefghijklmnop ${'z'.repeat(3000)}`;
    const { service, home, root } = openService(
      { loud: generic({ FAKE_STDOUT: big, LOUD_API_KEY: 'sk-live-abcdefghijklmnop' }) },
      { only: [{ agent: 'loud', task: 'implement' }] },
      { max_iterations: 1, output_limit_bytes: 1024, keep_full_output: true },
    );
    const result = await service.submit({ task: 'print a lot', workflow: 'only', cwd: workDir(root, 'loud') }).done;
    expect(result.steps[0]?.output).toMatch(/bytes cut\]/);
    const file = path.join(home, 'full-output', result.taskId, '1-1-loud.log');
    const kept = readFileSync(file, 'utf8');
    expect(kept).toContain('a'.repeat(3000));
    expect(kept).toContain('z'.repeat(3000));
    expect(kept).not.toContain('sk-live-abcdefghijklmnop');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses bad requests before storing anything', () => {
    const { service, root } = openService({ a: generic({}) }, { only: [{ agent: 'a', task: 'implement' }] });
    expect(() => service.submit({ task: '   ', cwd: root })).toThrow(/empty/);
    expect(() => service.submit({ task: 'x', workflow: 'nope', cwd: root })).toThrow(/Workflow 'nope' not found/);
    expect(() => service.submit({ task: 'x'.repeat(100_001), cwd: root })).toThrow(/too long/);
    expect(() => service.submit({ task: 'x', maxIterations: 0, cwd: root })).toThrow(/maxIterations/);
    expect(() => service.submit({ task: 'x', cwd: path.join(root, 'missing') })).toThrow(/does not exist/);
    expect(service.list()).toEqual([]);
  });
});
