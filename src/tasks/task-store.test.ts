import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../events/events.js';
import { openDatabase } from '../storage/database.js';
import { parseDuration } from './duration.js';
import { createTaskStore, type TaskStore } from './task-store.js';

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

let dirs = 0;
/** A new task on a working tree of its own (tasks on one tree wait for each other). */
const newTask = (): { task: string; workflow: string; maxIterations: number; cwd: string } => ({
  task: 'build it', workflow: 'default', maxIterations: 3, cwd: `/work-${++dirs}`,
});

/** queued → pending (its working tree claimed) → in_progress. */
function begin(store: TaskStore, id: string): void {
  expect(store.claimWorkingTree(id)).toBeUndefined();
  store.start(id);
}

describe('the task store', () => {
  it('keeps the tool calls a step had refused', () => {
    const store = createTaskStore(openDatabase(':memory:'));
    const task = store.create(newTask());
    const refusals = [{ tool: 'Write', target: '/elsewhere/refined.txt', reason: "Claude requested permissions to write to /elsewhere/refined.txt, but you haven't granted it yet." }];
    store.recordStep(task.id, { ...step, refusals });
    store.recordStep(task.id, { ...step, index: 1 });
    const [first, second] = store.steps(task.id);
    expect(first?.refusals).toEqual(refusals);
    expect(second?.refusals).toBeUndefined();
  });

  it('forgets the running step and its agent process once the step is recorded', () => {
    const store = createTaskStore(openDatabase(':memory:'));
    const task = store.create(newTask());
    begin(store, task.id);
    store.setCurrentStep(task.id, { iteration: 1, index: 0, agent: 'codex', role: 'implement', startedAt: step.startedAt });
    store.recordAgentProcess(task.id, process.pid);
    expect(store.agentProcess(task.id)?.pid).toBe(process.pid);
    store.recordStep(task.id, step);
    expect(store.agentProcess(task.id)).toBeUndefined();
    expect(store.get(task.id)?.currentStep).toBeUndefined();
    expect(store.status(task.id)).toBe('in_progress');
    expect(store.status('no-such-task')).toBeUndefined();
  });

  it('moves a task queued → pending → in_progress → completed and keeps every step', () => {
    const store = createTaskStore(openDatabase(':memory:'));
    const task = store.create(newTask());
    expect(task.status).toBe('queued');
    begin(store, task.id);
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
    const a = dead.create(newTask());
    begin(dead, a.id);
    const b = live.create(newTask());
    begin(live, b.id);
    const c = other.create(newTask());
    const checker = createTaskStore(db, { pid: 999, host: 'here', isAlive: (pid) => pid === 222 });
    expect(checker.markInterrupted()).toEqual([a.id]);
    expect(checker.get(a.id)).toMatchObject({ status: 'interrupted', success: false });
    expect(checker.get(a.id)?.reason).toContain('pid 111');
    expect(checker.get(b.id)?.status).toBe('in_progress');
    expect(checker.get(c.id)?.status).toBe('queued');
  });

  it('stops the agent group an interrupted task left running, and only that process', async () => {
    const db = openDatabase(':memory:');
    const owner = createTaskStore(db, { pid: 111, host: 'h' });
    const task = owner.create(newTask());
    begin(owner, task.id);
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
    const task = owner.create(newTask());
    begin(owner, task.id);
    db.prepare("UPDATE tasks SET agent_pid = ?, agent_start_time = '1' WHERE id = ?").run(process.pid, task.id);
    const checker = createTaskStore(db, { pid: 222, host: 'h', isAlive: () => false });
    expect(checker.markInterrupted()).toEqual([task.id]);
    expect(checker.get(task.id)?.reason).not.toContain('was stopped');
  });

  it('takes a live pid with a stale heartbeat as a reused pid', () => {
    const db = openDatabase(':memory:');
    let clock = new Date('2025-01-01T00:00:00Z');
    const owner = createTaskStore(db, { pid: 5, host: 'h', now: () => clock });
    const task = owner.create(newTask());
    begin(owner, task.id);
    clock = new Date('2025-01-01T01:00:00Z');
    const checker = createTaskStore(db, { pid: 6, host: 'h', now: () => clock, isAlive: () => true });
    expect(checker.markInterrupted()).toEqual([task.id]);
  });

  it('lists newest first with status and limit filters, finds by unique prefix, cleans old finished tasks', () => {
    let clock = new Date('2025-01-01T00:00:00Z');
    const store = createTaskStore(openDatabase(':memory:'), { now: () => clock });
    const old = store.create({ ...newTask(), task: 'old' });
    begin(store, old.id);
    store.finish(old.id, { status: 'failed', success: false, stopReason: 'failed', reason: 'x', iterations: 1, finalOutput: '', usage: { inputTokens: 0, outputTokens: 0 } });
    clock = new Date('2025-01-10T00:00:00Z');
    const recent = store.create({ ...newTask(), task: 'recent' });
    expect(store.list().map((t) => t.task)).toEqual(['recent', 'old']);
    expect(store.list({ status: 'failed' }).map((t) => t.task)).toEqual(['old']);
    expect(store.list({ limit: 1 }).map((t) => t.task)).toEqual(['recent']);
    expect(store.resolve(recent.id.slice(0, 8)).id).toBe(recent.id);
    expect(() => store.resolve('nope')).toThrow(/task nope not found/);
    expect(store.clean(new Date(clock.getTime() - parseDuration('7d')))).toBe(1);
    expect(store.list().map((t) => t.task)).toEqual(['recent']);
  });
});

describe('the working-tree claim', () => {
  it('lets one task at a time run in a directory, the others wait in order, and frees it when the task ends', () => {
    const db = openDatabase(':memory:');
    const one = createTaskStore(db, { pid: 1, host: 'h' });
    const two = createTaskStore(db, { pid: 2, host: 'h' });
    const shared = { task: 'x', workflow: 'default', maxIterations: 1, cwd: '/repo' };
    const a = one.create(shared);
    const b = two.create(shared);
    const c = one.create(shared);
    const elsewhere = two.create({ ...shared, cwd: '/other' });
    expect(one.claimWorkingTree(a.id)).toBeUndefined();
    expect(two.claimWorkingTree(b.id)).toBe(a.id);
    // c waits for a too, and not ahead of b: it was queued later.
    expect(one.claimWorkingTree(c.id)).toBe(a.id);
    expect(two.claimWorkingTree(elsewhere.id)).toBeUndefined();
    one.start(a.id);
    one.finish(a.id, { status: 'completed', success: true, stopReason: 'converged', reason: 'ok', iterations: 1, finalOutput: '', usage: { inputTokens: 0, outputTokens: 0 } });
    expect(one.claimWorkingTree(c.id)).toBe(b.id);
    expect(two.claimWorkingTree(b.id)).toBeUndefined();
    expect(one.get(b.id)?.status).toBe('pending');
  });

  it('reopens a stopped task for resume: queued again, owned by the resuming process, end fields cleared', () => {
    const db = openDatabase(':memory:');
    const first = createTaskStore(db, { pid: 1, host: 'h' });
    const task = first.create(newTask());
    begin(first, task.id);
    first.finish(task.id, { status: 'cancelled', success: false, stopReason: 'cancelled', reason: 'by the user', iterations: 1, finalOutput: '', usage: { inputTokens: 3, outputTokens: 4 } });
    const second = createTaskStore(db, { pid: 2, host: 'h' });
    second.reopen(task.id);
    expect(second.get(task.id)).toMatchObject({ status: 'queued', ownerPid: 2, usage: { inputTokens: 3, outputTokens: 4 } });
    expect(second.get(task.id)?.reason).toBeUndefined();
    expect(second.get(task.id)?.finishedAt).toBeUndefined();
    second.finish(task.id, { status: 'cancelled', success: false, stopReason: 'cancelled', reason: 'again', iterations: 1, finalOutput: '', usage: { inputTokens: 3, outputTokens: 4 } });
    const done = createTaskStore(db);
    const completed = done.create(newTask());
    begin(done, completed.id);
    done.finish(completed.id, { status: 'completed', success: true, stopReason: 'converged', reason: 'ok', iterations: 1, finalOutput: '', usage: { inputTokens: 0, outputTokens: 0 } });
    expect(() => done.reopen(completed.id)).toThrow(/cannot go from completed to queued/);
  });

  it('keeps what a resumed run needs: the prompt text, the memory block and the budget the task was started with', () => {
    const store = createTaskStore(openDatabase(':memory:'));
    const task = store.create({ ...newTask(), task: 'and then this', promptTask: 'Previous task: x\n\nFollow-up: and then this', budgetUsd: 2.5 });
    store.setMemoryBlock(task.id, 'Earlier: the users table.');
    expect(store.resumeInputs(task.id)).toEqual({ promptTask: 'Previous task: x\n\nFollow-up: and then this', memoryBlock: 'Earlier: the users table.', budgetUsd: 2.5 });
    expect(store.get(task.id)?.task).toBe('and then this');
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
