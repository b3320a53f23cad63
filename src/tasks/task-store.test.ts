import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../events/events.js';
import { openDatabase } from '../storage/database.js';
import { parseDuration } from './duration.js';
import { createTaskStore } from './task-store.js';

const step: StepRecord = {
  iteration: 1,
  index: 0,
  agent: 'codex',
  role: 'implement',
  success: false,
  output: 'partial',
  error: { kind: 'server', message: '503' },
  fallbackFrom: undefined,
  suggestions: [],
  filesModified: ['a.ts'],
  durationMs: 12,
  usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
};

const newTask = { task: 'build it', workflow: 'default', maxIterations: 3, cwd: '/tmp' };

describe('the task store', () => {
  it('keeps the tool calls a step had refused', () => {
    const store = createTaskStore(openDatabase(':memory:'));
    const task = store.create(newTask);
    const refusals = [{ tool: 'Write', target: '/elsewhere/refined.txt', reason: "Claude requested permissions to write to /elsewhere/refined.txt, but you haven't granted it yet." }];
    store.recordStep(task.id, { ...step, refusals });
    store.recordStep(task.id, { ...step, index: 1 });
    const [first, second] = store.steps(task.id);
    expect(first?.refusals).toEqual(refusals);
    expect(second?.refusals).toBeUndefined();
  });

  it('moves a task pending → in_progress → completed and keeps every step', () => {
    const store = createTaskStore(openDatabase(':memory:'));
    const task = store.create(newTask);
    expect(task.status).toBe('pending');
    store.start(task.id);
    store.recordStep(task.id, step);
    store.recordStep(task.id, { ...step, index: 1, success: true, error: undefined, role: 'review', suggestions: ['x'] });
    expect(store.get(task.id)?.usage).toEqual({ inputTokens: 20, outputTokens: 10, costUsd: 0.02 });
    store.finish(task.id, {
      status: 'completed', success: true, stopReason: 'converged', reason: 'ok', iterations: 1, finalOutput: 'done',
      usage: { inputTokens: 20, outputTokens: 10 },
    });
    const done = store.get(task.id);
    expect(done).toMatchObject({ status: 'completed', success: true, stopReason: 'converged', finalOutput: 'done' });
    const steps = store.steps(task.id);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toMatchObject({ agent: 'codex', error: { kind: 'server', message: '503' }, filesModified: ['a.ts'] });
    expect(steps[1]?.suggestions).toEqual(['x']);
    expect(() => store.start(task.id)).toThrow(/cannot go from completed to in_progress/);
  });

  it('marks an unfinished task of a dead process interrupted, and leaves live ones alone', () => {
    const db = openDatabase(':memory:');
    const dead = createTaskStore(db, { pid: 111, host: 'here' });
    const live = createTaskStore(db, { pid: 222, host: 'here' });
    const other = createTaskStore(db, { pid: 333, host: 'elsewhere' });
    const a = dead.create(newTask);
    dead.start(a.id);
    const b = live.create(newTask);
    live.start(b.id);
    const c = other.create(newTask);
    const checker = createTaskStore(db, { pid: 999, host: 'here', isAlive: (pid) => pid === 222 });
    expect(checker.markInterrupted()).toEqual([a.id]);
    expect(checker.get(a.id)).toMatchObject({ status: 'interrupted', success: false });
    expect(checker.get(a.id)?.reason).toContain('pid 111');
    expect(checker.get(b.id)?.status).toBe('in_progress');
    expect(checker.get(c.id)?.status).toBe('pending');
  });

  it('stops the agent group an interrupted task left running, and only that process', async () => {
    const db = openDatabase(':memory:');
    const owner = createTaskStore(db, { pid: 111, host: 'h' });
    const task = owner.create(newTask);
    owner.start(task.id);
    const agent = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    owner.recordAgentProcess(task.id, agent.pid);
    const checker = createTaskStore(db, { pid: 222, host: 'h', isAlive: () => false });
    expect(checker.markInterrupted()).toEqual([task.id]);
    expect(checker.get(task.id)?.reason).toContain(`its agent (pid ${String(agent.pid)}) was still running and was stopped`);
    await Promise.race([exited, sleep(5000)]);
    expect(agent.exitCode !== null || agent.signalCode !== null).toBe(true);
  });

  it('leaves a process alone when its start time does not match (a reused pid)', () => {
    const db = openDatabase(':memory:');
    const owner = createTaskStore(db, { pid: 111, host: 'h' });
    const task = owner.create(newTask);
    owner.start(task.id);
    db.prepare("UPDATE tasks SET agent_pid = ?, agent_start_time = '1' WHERE id = ?").run(process.pid, task.id);
    const checker = createTaskStore(db, { pid: 222, host: 'h', isAlive: () => false });
    expect(checker.markInterrupted()).toEqual([task.id]);
    expect(checker.get(task.id)?.reason).not.toContain('was stopped');
  });

  it('takes a live pid with a stale heartbeat as a reused pid', () => {
    const db = openDatabase(':memory:');
    let clock = new Date('2025-01-01T00:00:00Z');
    const owner = createTaskStore(db, { pid: 5, host: 'h', now: () => clock });
    const task = owner.create(newTask);
    owner.start(task.id);
    clock = new Date('2025-01-01T01:00:00Z');
    const checker = createTaskStore(db, { pid: 6, host: 'h', now: () => clock, isAlive: () => true });
    expect(checker.markInterrupted()).toEqual([task.id]);
  });

  it('lists newest first with status and limit filters, finds by unique prefix, cleans old finished tasks', () => {
    let clock = new Date('2025-01-01T00:00:00Z');
    const store = createTaskStore(openDatabase(':memory:'), { now: () => clock });
    const old = store.create({ ...newTask, task: 'old' });
    store.start(old.id);
    store.finish(old.id, { status: 'failed', success: false, stopReason: 'failed', reason: 'x', iterations: 1, finalOutput: '', usage: { inputTokens: 0, outputTokens: 0 } });
    clock = new Date('2025-01-10T00:00:00Z');
    const recent = store.create({ ...newTask, task: 'recent' });
    expect(store.list().map((t) => t.task)).toEqual(['recent', 'old']);
    expect(store.list({ status: 'failed' }).map((t) => t.task)).toEqual(['old']);
    expect(store.list({ limit: 1 }).map((t) => t.task)).toEqual(['recent']);
    expect(store.resolve(recent.id.slice(0, 8)).id).toBe(recent.id);
    expect(() => store.resolve('nope')).toThrow(/task nope not found/);
    expect(store.clean(new Date(clock.getTime() - parseDuration('7d')))).toBe(1);
    expect(store.list().map((t) => t.task)).toEqual(['recent']);
  });
});

describe('parseDuration', () => {
  it('reads 30s, 30m, 12h, 7d, 2w and combinations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('12h')).toBe(43_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1d12h')).toBe(129_600_000);
  });

  it('refuses anything else with the accepted forms', () => {
    for (const bad of ['', '7', 'd', '7x', '7d junk', '-1d']) expect(() => parseDuration(bad)).toThrow(/invalid duration/);
  });
});
