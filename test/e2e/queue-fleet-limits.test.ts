/**
 * `max_concurrency` across a fleet, with everything real: redis-server, a coordinator
 * (`serve --queue`), two `worker` processes of the built CLI each running two tasks at once, and
 * the fixture agents recording when each of their runs started and ended.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestratorEvent } from '../../src/events/events.js';
import { createFleet, type Fleet } from '../helpers/queue-fleet.js';
import { REDIS_UNAVAILABLE, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

describe.skipIf(REDIS_UNAVAILABLE)('fleet-wide limits in queue mode', () => {
  let redis: RedisServer;
  let fleet: Fleet | undefined;

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

  it('max_concurrency 1 holds across two workers of concurrency 2: never two runs of the agent at once', async () => {
    const f = (fleet = createFleet({ redisUrl: redis.url, name: 'limits', slowMs: 1_500, maxConcurrency: { slow: 1 } }));
    await Promise.all([f.startWorker('one', ['--concurrency', '2']), f.startWorker('two', ['--concurrency', '2'])]);
    const coordinator = await f.startCoordinator();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await coordinator.submit({ task: `limited ${i}` }));
    for (const id of ids) {
      const task = await f.waitForTask(coordinator.home, id, (t) => !['queued', 'pending', 'in_progress'].includes(t.status), 60_000);
      const finished = f.events(coordinator.home, id).find((stored) => stored.event.type === 'task.finished')?.event;
      expect(task.status, JSON.stringify(finished)).toBe('completed');
    }

    // Both workers ran tasks, so the limit was held between processes, not only within one.
    const takers = ids.map((id) =>
      f
        .events(coordinator.home, id)
        .map((stored) => stored.event)
        .find((event): event is Extract<OrchestratorEvent, { type: 'task.assigned' }> => event.type === 'task.assigned')?.worker,
    );
    expect(new Set(takers)).toEqual(new Set(['one', 'two']));

    const slow = f
      .agentIntervals()
      .filter((run) => run.name === 'slow')
      .sort((a, b) => a.start - b.start);
    expect(slow).toHaveLength(4);
    for (let i = 1; i < slow.length; i++) expect(slow[i]!.start).toBeGreaterThanOrEqual(slow[i - 1]!.end);
  }, 120_000);
});
