/**
 * Queue mode with everything real: redis-server on a free loopback port, a coordinator
 * (`serve --queue`) and `worker` processes of the built CLI, the fixture agents, git
 * repositories. Tasks spread over the workers and their events reach the coordinator's log in
 * order; a cancel reaches the worker running the task and its agent is gone; a worker killed with
 * kill -9 mid-task is taken over by the other, which continues after the last completed step on
 * the tree that step left; a Redis restart mid-run is survived; a worker takes only tasks whose
 * agents it has; a result that cannot be pushed comes back as a bundle `tasks apply` applies.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestratorEvent, StoredEvent } from '../../src/events/events.js';
import { isAlive } from '../helpers/fake-cli.js';
import { git } from '../helpers/git-repo.js';
import { createFleet, until, type Fleet, type WorkerProcess } from '../helpers/queue-fleet.js';
import { REDIS_UNAVAILABLE, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

/** The worker prints its HTTP address on stdout once it listens. */
async function portLine(worker: WorkerProcess): Promise<string> {
  await until(() => /^http:\/\//m.test(worker.stdout()), 10_000, 'the worker to print its address');
  return worker.stdout();
}

const ofType = <K extends OrchestratorEvent['type']>(events: readonly StoredEvent[], type: K): Extract<OrchestratorEvent, { type: K }>[] =>
  events.map((stored) => stored.event).filter((event): event is Extract<OrchestratorEvent, { type: K }> => event.type === type);

describe.skipIf(REDIS_UNAVAILABLE)('queue mode (coordinator, workers, Redis)', () => {
  let redis: RedisServer;
  let fleet: Fleet | undefined;
  let fleets = 0;
  const newFleet = (options: { slowMs?: number; writerMs?: number } = {}): Fleet => {
    fleet = createFleet({ redisUrl: redis.url, name: `t${++fleets}`, ...options });
    return fleet;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('spreads tasks over two workers, stores their events in order, and `tasks apply` brings a pushed result in', async () => {
    const f = newFleet({ writerMs: 1_500 });
    const [one, two] = await Promise.all([f.startWorker('one'), f.startWorker('two')]);
    const coordinator = await f.startCoordinator();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await coordinator.submit({ task: `task ${i}`, workflow: 'quick' }));
    for (const id of ids) expect((await f.waitForTask(coordinator.home, id, (t) => t.status !== 'queued' && t.status !== 'pending' && t.status !== 'in_progress')).status).toBe('completed');

    const takers = ids.map((id) => ofType(f.events(coordinator.home, id), 'task.assigned')[0]?.worker);
    expect(new Set(takers)).toEqual(new Set(['one', 'two']));
    for (const id of ids) {
      const events = f.events(coordinator.home, id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
      expect(ofType(events, 'step.finished')).toHaveLength(2);
      expect(ofType(events, 'workspace.result')[0]).toMatchObject({ delivery: 'pushed', repo: f.repo, branch: `aio/${id}` });
    }
    // The branch is in the repository the task named; apply brings its change into the tree.
    expect(git(f.repo, 'show', `aio/${ids[0] ?? ''}:one.txt`)).toBe('writer\n');
    const applied = await f.cli(['tasks', 'apply', ids[0] ?? '', '--json'], coordinator.home);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ files: ['one.txt'] });
    expect(readFileSync(path.join(f.repo, 'one.txt'), 'utf8')).toBe('writer\n');

    // SIGTERM drains: no task is running, so each worker stops at once, exit 0.
    one.child.kill('SIGTERM');
    two.child.kill('SIGTERM');
    expect(await one.exited).toBe(0);
    expect(await two.exited).toBe(0);
  });

  it('a cancel from the API reaches the worker running the task: its agent is gone when the cancel answers', async () => {
    const f = newFleet({ slowMs: 60_000 });
    await Promise.all([f.startWorker('one'), f.startWorker('two')]);
    const coordinator = await f.startCoordinator();
    const id = await coordinator.submit({ task: 'hang in the slow step' });
    await until(() => f.agentRuns().some((run) => run.name === 'slow'), 30_000, 'the slow agent to start');
    const slow = f.agentRuns().find((run) => run.name === 'slow');
    expect(slow && isAlive(slow.pid)).toBe(true);

    const response = await coordinator.api('POST', `/api/tasks/${id}/cancel`);
    expect(await response.json()).toMatchObject({ task_id: id, status: 'cancelled', cancelled: true });
    expect(isAlive(slow?.pid ?? 0)).toBe(false);
    const taker = ofType(f.events(coordinator.home, id), 'task.assigned')[0]?.worker;
    // The right worker: the agent ran in the worktree under that worker's home.
    expect(slow?.cwd).toContain(`${path.sep}worker-${taker ?? '?'}${path.sep}`);
    expect(ofType(f.events(coordinator.home, id), 'task.finished')[0]).toMatchObject({ status: 'cancelled' });
  });

  it('a cancelled queued task resumes on a worker after its last completed step, on the tree that step left', async () => {
    const f = newFleet({ slowMs: 1_500 });
    await f.startWorker('one');
    const coordinator = await f.startCoordinator();
    const id = await coordinator.submit({ task: 'stop and go on' });
    await until(() => f.agentRuns().some((run) => run.name === 'slow'), 30_000, 'the slow step to start');
    expect(await (await coordinator.api('POST', `/api/tasks/${id}/cancel`)).json()).toMatchObject({ status: 'cancelled' });

    expect((await coordinator.api('POST', `/api/tasks/${id}/resume`)).status).toBe(202);
    expect((await f.waitForTask(coordinator.home, id, (t) => t.status === 'completed' || t.status === 'failed')).status).toBe('completed');
    const assigned = ofType(f.events(coordinator.home, id), 'task.assigned');
    expect(assigned.at(-1)).toMatchObject({ worker: 'one', iteration: 1, index: 1 });
    expect(f.agentRuns().map((run) => run.name)).toEqual(['writer', 'slow', 'slow', 'reviewer']);
    expect(f.agentRuns()[2]?.files).toEqual(['.gitignore', 'a.txt', 'one.txt']);
  });

  it('kill -9 of the worker mid-task: the other takes it over after the stall timeout and resumes after the last completed step', async () => {
    const f = newFleet({ slowMs: 4_000 });
    const workers = await Promise.all([f.startWorker('one'), f.startWorker('two')]);
    const coordinator = await f.startCoordinator();
    const id = await coordinator.submit({ task: 'three steps' });
    await until(() => f.agentRuns().some((run) => run.name === 'slow'), 30_000, 'the slow step to start');
    const first = f.agentRuns().find((run) => run.name === 'slow');
    const victim = workers.find((w) => first?.cwd.includes(`${path.sep}worker-${w.name}${path.sep}`));
    const survivor = workers.find((w) => w !== victim);
    victim?.child.kill('SIGKILL');

    const task = await f.waitForTask(coordinator.home, id, (t) => t.status === 'completed' || t.status === 'failed' || t.status === 'cancelled', 60_000);
    expect(task.status).toBe('completed');
    const events = f.events(coordinator.home, id);
    expect(ofType(events, 'task.takeover')).toEqual([
      expect.objectContaining({ worker: survivor?.name, previousWorker: victim?.name, iteration: 1, index: 1, keptSteps: 1, checkpoint: expect.any(String) }),
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
    const runs = f.agentRuns();
    // The completed first step never ran again; the interrupted one ran again, on the tree the
    // first step left (restored from its checkpoint in the survivor's own worktree).
    expect(runs.filter((run) => run.name === 'writer')).toHaveLength(1);
    const slows = runs.filter((run) => run.name === 'slow');
    expect(slows).toHaveLength(2);
    expect(slows[1]?.cwd).toContain(`${path.sep}worker-${survivor?.name ?? '?'}${path.sep}`);
    expect(slows[1]?.files).toEqual(['.gitignore', 'a.txt', 'one.txt']);
    expect(runs.filter((run) => run.name === 'reviewer')).toHaveLength(1);
    expect(git(f.repo, 'show', `aio/${id}:two.txt`)).toBe('slow\n');
    expect(git(f.repo, 'show', `aio/${id}:one.txt`)).toBe('writer\n');
  });

  it('a Redis restart mid-run: the task goes on, and every event is stored once, in order', async () => {
    const f = newFleet({ slowMs: 3_000 });
    await f.startWorker('one');
    const coordinator = await f.startCoordinator();
    const id = await coordinator.submit({ task: 'across a restart' });
    await until(() => f.agentRuns().some((run) => run.name === 'slow'), 30_000, 'the slow step to start');
    await redis.restart({ downMs: 300 });

    const task = await f.waitForTask(coordinator.home, id, (t) => !['queued', 'pending', 'in_progress'].includes(t.status), 60_000);
    expect(task.status).toBe('completed');
    const events = f.events(coordinator.home, id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
    const finished = ofType(events, 'step.finished').map((e) => `${e.step.iteration}.${e.step.index}`);
    expect(finished).toEqual(['1.0', '1.1', '1.2']);
    expect(ofType(events, 'task.finished')).toHaveLength(1);
  });

  it('a worker takes only tasks whose agents it has: without `slow`, the three-step task waits for one that has it', async () => {
    const f = newFleet();
    await f.startWorker('lean', ['--agents', 'writer,reviewer']);
    const coordinator = await f.startCoordinator();
    const id = await coordinator.submit({ task: 'needs the slow agent' });
    const quick = await coordinator.submit({ task: 'any worker will do', workflow: 'quick' });
    expect((await f.waitForTask(coordinator.home, quick, (t) => t.status === 'completed')).status).toBe('completed');
    // The lean worker ran the quick task and is idle, yet the three-step one is still queued.
    expect(f.task(coordinator.home, id)?.status).toBe('queued');
    expect(ofType(f.events(coordinator.home, id), 'workspace.notice').map((e) => e.message).join('\n')).toMatch(/no live worker .* has the agents reviewer, slow, writer/);

    await f.startWorker('full');
    expect((await f.waitForTask(coordinator.home, id, (t) => t.status === 'completed')).status).toBe('completed');
    expect(ofType(f.events(coordinator.home, id), 'task.assigned')[0]?.worker).toBe('full');
  });

  it('a worker answers /health and /metrics on --port, finishes its task on SIGTERM, and a second SIGTERM hands a task back to another worker', async () => {
    const f = newFleet({ slowMs: 2_500 });
    const one = await f.startWorker('one', ['--port', '0']);
    const url = /^(http:\/\/\S+)$/m.exec(await portLine(one))?.[1] ?? '';
    const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', worker: 'one', agents: ['reviewer', 'slow', 'writer'], concurrency: 1, running: [], redis: 'ready' });
    const coordinator = await f.startCoordinator();

    // Draining: the running task is finished, then the worker exits 0.
    const finished = await coordinator.submit({ task: 'finish me' });
    await until(() => f.agentRuns().some((run) => run.name === 'slow'), 30_000, 'the slow step to start');
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/orchestrator_queue_running_tasks 1/);
    one.child.kill('SIGTERM');
    expect(await one.exited).toBe(0);
    expect(f.task(coordinator.home, finished)?.status).toBe('completed');

    // Handing back: the second SIGTERM stops the task there, and the other worker continues it.
    const two = await f.startWorker('two');
    const handed = await coordinator.submit({ task: 'hand me back' });
    await until(() => f.agentRuns().filter((run) => run.name === 'slow').length === 2, 30_000, 'the second slow step to start');
    const three = await f.startWorker('three');
    two.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    two.child.kill('SIGTERM');
    expect(await two.exited).toBe(0);
    const task = await f.waitForTask(coordinator.home, handed, (t) => !['queued', 'pending', 'in_progress'].includes(t.status), 60_000);
    expect(task.status).toBe('completed');
    expect(ofType(f.events(coordinator.home, handed), 'task.takeover')).toEqual([expect.objectContaining({ worker: three.name, previousWorker: 'two', iteration: 1, index: 1 })]);
    expect(f.agentRuns().filter((run) => run.name === 'writer')).toHaveLength(2);
  });

  it('a result the repository refuses is kept as a bundle with the task, and `tasks apply` applies it', async () => {
    const f = newFleet();
    const hook = path.join(f.repo, '.git', 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "pushes are closed" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    await f.startWorker('one');
    const coordinator = await f.startCoordinator();
    const id = await coordinator.submit({ task: 'no pushes here', workflow: 'quick' });
    expect((await f.waitForTask(coordinator.home, id, (t) => t.status === 'completed')).status).toBe('completed');
    expect(ofType(f.events(coordinator.home, id), 'workspace.result')[0]).toMatchObject({ delivery: 'bundle', reason: expect.stringMatching(/pushes are closed|pre-receive/) });
    expect(() => git(f.repo, 'rev-parse', '--verify', `aio/${id}`)).toThrow();

    const applied = await f.cli(['tasks', 'apply', id], coordinator.home);
    expect(applied.code, applied.stderr).toBe(0);
    expect(readFileSync(path.join(f.repo, 'one.txt'), 'utf8')).toBe('writer\n');
  });
});
