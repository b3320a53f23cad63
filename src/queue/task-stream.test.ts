/**
 * A task's stream against a real redis-server: appends are fenced by ownership and seq, a command
 * sent twice lands once, the forwarder holds a finished step back until the checkpoint after it
 * is shipped and sends a burst in one command, and the history a taking-over worker rebuilds
 * drops what a takeover redoes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_UNAVAILABLE, startRedisServer, type RedisServer } from '../../test/helpers/redis-server.js';
import type { OrchestratorEvent, StepRecord } from '../events/events.js';
import { createEventForwarder } from './event-forwarder.js';
import { queueKeys } from './queue-keys.js';
import { openRedis, type RedisClient } from './redis-client.js';
import { taskHistory } from './task-history.js';
import { NotOwnerError, createTaskStreams, type TaskStreams } from './task-stream.js';

const at = '2026-01-01T00:00:00.000Z';
const notice = (taskId: string, message: string): OrchestratorEvent => ({ type: 'workspace.notice', taskId, timestamp: at, message });
const step = (iteration: number, index: number): StepRecord => ({
  iteration,
  index,
  agent: 'a',
  role: 'implement',
  success: true,
  output: 'ok',
  suggestions: [],
  filesModified: [],
  durationMs: 1,
  usage: { inputTokens: 1, outputTokens: 1 },
  startedAt: at,
  finishedAt: at,
});

describe.skipIf(REDIS_UNAVAILABLE)('task streams', () => {
  let redis: RedisServer;
  let client: RedisClient;
  let streams: TaskStreams;
  let tasks = 0;
  const newTask = (): string => `task-${++tasks}`;

  beforeAll(async () => {
    redis = await startRedisServer();
    client = await openRedis(redis.url, { name: 'test' });
    streams = createTaskStreams(client, queueKeys('t'));
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('takes only the next seq from the owner; a new owner fences the old one out; a resent append lands once', async () => {
    const id = newTask();
    await streams.seed(id, 'coordinator', [{ seq: 1, event: notice(id, 'created') }]);
    expect(await streams.claim(id, 'worker-a')).toBe('coordinator');
    await streams.append(id, 'worker-a', 2, notice(id, 'two'));
    // The same command again (a reconnect resending it) finds its entry: no duplicate, no error.
    await streams.append(id, 'worker-a', 2, notice(id, 'two'));
    await expect(streams.append(id, 'worker-a', 4, notice(id, 'gap'))).rejects.toBeInstanceOf(NotOwnerError);
    expect(await streams.claim(id, 'worker-b')).toBe('worker-a');
    await expect(streams.append(id, 'worker-a', 3, notice(id, 'late'))).rejects.toBeInstanceOf(NotOwnerError);
    await streams.append(id, 'worker-b', 3, notice(id, 'three'));
    const read = await streams.read(id);
    expect(read.map((e) => [e.seq, e.event.type === 'workspace.notice' ? e.event.message : ''])).toEqual([
      [1, 'created'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(await streams.lastSeq(id)).toBe(3);
  });

  it('holds a finished step back until the checkpoint before the next step is shipped', async () => {
    const id = newTask();
    await streams.claim(id, 'w');
    const seenAtShip: string[] = [];
    const forwarder = createEventForwarder({
      streams,
      taskId: id,
      token: 'w',
      firstSeq: 1,
      ship: async () => {
        seenAtShip.push(...(await streams.read(id)).map((e) => e.event.type));
      },
      onLost: () => undefined,
      onProblem: () => undefined,
    });
    forwarder.send({ type: 'step.finished', taskId: id, timestamp: at, step: step(1, 0) });
    forwarder.send({ type: 'workspace.checkpoint', taskId: id, timestamp: at, kind: 'step', iteration: 1, index: 1, commit: 'c0ffee', ref: 'refs/x' });
    forwarder.send(notice(id, 'after'));
    await forwarder.flush();
    expect(seenAtShip).toEqual([]);
    expect((await streams.read(id)).map((e) => e.event.type)).toEqual(['step.finished', 'workspace.checkpoint', 'workspace.notice']);
  });

  it('sends a burst of events in one command, by the hash of its script, in order', async () => {
    const id = newTask();
    await streams.claim(id, 'w');
    const forwarder = createEventForwarder({ streams, taskId: id, token: 'w', firstSeq: 1, ship: () => Promise.resolve(), onLost: () => undefined, onProblem: () => undefined });
    forwarder.send(notice(id, 'first'));
    await forwarder.flush();
    await client.config('RESETSTAT');
    for (let i = 0; i < 10; i++) forwarder.send(notice(id, `burst ${i}`));
    await forwarder.flush();
    const stats = await client.info('commandstats');
    const calls = (command: string): number => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect({ evalsha: calls('evalsha'), eval: calls('eval'), xadd: calls('xadd') }).toEqual({ evalsha: 1, eval: 0, xadd: 10 });
    const read = await streams.read(id);
    expect(read.map((e) => (e.event.type === 'workspace.notice' ? e.event.message : ''))).toEqual(['first', ...Array.from({ length: 10 }, (_v, i) => `burst ${i}`)]);
    expect(read.map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_v, i) => i + 1));
  });

  it('tells the run it lost the task when another worker owns it, and sends nothing more', async () => {
    const id = newTask();
    await streams.claim(id, 'old');
    let lost = '';
    const forwarder = createEventForwarder({ streams, taskId: id, token: 'old', firstSeq: 1, ship: () => Promise.resolve(), onLost: (why) => (lost = why), onProblem: () => undefined });
    forwarder.send(notice(id, 'one'));
    await forwarder.flush();
    await streams.claim(id, 'new');
    forwarder.send(notice(id, 'two'));
    forwarder.send(notice(id, 'three'));
    await forwarder.flush();
    expect(lost).toMatch(/AIO_NOT_OWNER/);
    expect((await streams.read(id)).length).toBe(1);
  });
});

describe('task history', () => {
  it('keeps the steps before where a takeover continues, counts the attempts since the last dispatch', () => {
    const id = 't';
    const history = taskHistory([
      { seq: 1, event: { type: 'task.created', taskId: id, timestamp: at, task: 'x', workflow: 'w', cwd: '/', source: 'api' } },
      { seq: 2, event: { type: 'task.assigned', taskId: id, timestamp: at, worker: 'a', host: 'h', attempt: 1 } },
      { seq: 3, event: { type: 'step.finished', taskId: id, timestamp: at, step: step(1, 0) } },
      { seq: 4, event: { type: 'step.finished', taskId: id, timestamp: at, step: step(1, 1) } },
      { seq: 5, event: { type: 'task.takeover', taskId: id, timestamp: at, worker: 'b', host: 'h', attempt: 2, previousWorker: 'a', iteration: 1, index: 1, keptSteps: 1 } },
    ]);
    expect(history.steps.map((s) => s.index)).toEqual([0]);
    expect(history).toMatchObject({ attempts: 2, lastWorker: 'b', finished: false, lastSeq: 5 });
    // Spent counts every step that ran, the one redone too.
    expect(history.usage.inputTokens).toBe(2);
  });
});
