import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/helpers/cli.js';
import { REDIS_UNAVAILABLE, startRedisServer, type RedisServer } from '../../../test/helpers/redis-server.js';
import { openDatabase } from '../../storage/database.js';
import { createAgentHealthStore, type AgentHealthStore } from '../agent-health-store.js';
import { createCircuitBreaker } from '../circuit-breaker.js';
import { createFleetResilience, type FleetResilience } from './fleet-resilience.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/fleet');

interface Fixture {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line that starts with `prefix`. */
  line(prefix: string): Promise<string>;
  readonly exited: Promise<number | null>;
}

let redis: RedisServer;
let prefixes = 0;
const nextPrefix = (): string => `test${(prefixes += 1)}`;

function runFixture(script: string, env: Record<string, string>): Fixture {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, script)], {
    cwd: REPO_ROOT,
    env: { ...process.env, REDIS_URL: redis.url, FLEET_DIR: mkdtempSync(path.join(os.tmpdir(), 'aio-fleet-')), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (data: string) => (stdout += data));
  child.stderr?.setEncoding('utf8').on('data', (data: string) => (stderr += data));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    exited,
    async line(prefix) {
      for (;;) {
        const found = stdout.split('\n').find((line) => line.startsWith(prefix));
        if (found !== undefined) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${script} ended (${child.exitCode ?? child.signalCode}): ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

async function openLocalFleet(prefix: string, leaseMs?: number): Promise<{ fleet: FleetResilience; local: AgentHealthStore }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-fleet-')), 'orchestrator.db');
  const local = createAgentHealthStore(openDatabase(file));
  const fleet = await createFleetResilience({ redisUrl: redis.url, local, origin: file, prefix, ...(leaseMs ? { leaseMs } : {}) });
  return { fleet, local };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('fleet resilience start-up', () => {
  it('fails with one clear line, its password hidden, when Redis does not answer', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-fleet-')), 'orchestrator.db');
    const local = createAgentHealthStore(openDatabase(file));
    // Port 1 on loopback: nothing listens there.
    const started = createFleetResilience({ redisUrl: 'redis://:s3cret-password@127.0.0.1:1', local, origin: file, connectTimeoutMs: 500 });
    await expect(started).rejects.toMatchObject({
      code: 'QUEUE_UNAVAILABLE',
      message: expect.stringMatching(/^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 within 0\.5 s: .*ECONNREFUSED/),
    });
  });
});

const BREAKER = { enabled: true, failureThreshold: 5, recoveryTimeoutMs: 600_000 };

describe.skipIf(REDIS_UNAVAILABLE)('fleet resilience over a real Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('never runs two processes of a max_concurrency 1 agent at once across two worker processes', async () => {
    const intervals = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-fleet-')), 'intervals');
    const env = { FLEET_PREFIX: nextPrefix(), INTERVALS: intervals, CALLS: '3', FAKE_SLEEP_MS: '300' };
    const workers = [runFixture('run-limited-agent.ts', env), runFixture('run-limited-agent.ts', env)];
    await Promise.all(workers.map((worker) => worker.line('done')));
    expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0]);

    const runs = readFileSync(intervals, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number) as [number, number, number])
      .sort((a, b) => a[1] - b[1]);
    expect(runs).toHaveLength(6);
    for (let i = 1; i < runs.length; i += 1) expect(runs[i]![1]).toBeGreaterThanOrEqual(runs[i - 1]![2]);
  }, 60_000);

  it('keeps a running holder\'s slot past its lease, and frees it once the holder is killed', async () => {
    const prefix = nextPrefix();
    const holder = runFixture('hold-slot.ts', { FLEET_PREFIX: prefix, FLEET_LEASE_MS: '1000' });
    await holder.line('held');
    const { fleet } = await openLocalFleet(prefix, 1000);
    try {
      const semaphore = fleet.semaphoreFor('held', 1);
      // 2.5 leases: only the holder's refreshes keep the slot that long.
      await expect(semaphore.acquire(AbortSignal.timeout(2_500))).rejects.toThrow();
      expect(semaphore.waiting()).toBe(0);
      holder.child.kill('SIGKILL');
      await holder.exited;
      const release = await semaphore.acquire(AbortSignal.timeout(15_000));
      expect(semaphore.active()).toBe(1);
      release();
    } finally {
      await fleet.close();
    }
  }, 60_000);

  it('gives a released slot to a waiter in another process, and an aborted waiter takes none', async () => {
    const prefix = nextPrefix();
    // The default 30 s lease: a slot coming back within the test means it was released.
    const holder = runFixture('hold-slot.ts', { FLEET_PREFIX: prefix });
    await holder.line('held');
    const { fleet } = await openLocalFleet(prefix);
    try {
      const semaphore = fleet.semaphoreFor('held', 1);
      const controller = new AbortController();
      const aborted = semaphore.acquire(controller.signal);
      setTimeout(() => controller.abort(new Error('cancelled by the user')), 300);
      await expect(aborted).rejects.toThrow('cancelled by the user');

      holder.child.stdin?.end();
      await holder.line('released');
      const release = await semaphore.acquire(AbortSignal.timeout(10_000));
      release();
      expect(await holder.exited).toBe(0);
    } finally {
      await fleet.close();
    }
  }, 60_000);

  it('shows a circuit opened in one process to another, and every call record once in each database', async () => {
    const prefix = nextPrefix();
    const { fleet, local } = await openLocalFleet(prefix);
    try {
      const other = runFixture('open-circuit.ts', { FLEET_PREFIX: prefix, STEADY_CALLS: '2' });
      expect(await other.line('opened')).toBe('opened open');

      await until(() => fleet.healthStore.loadCircuit('flaky')?.state === 'open', 'the circuit to open here');
      const breaker = createCircuitBreaker({ agent: 'flaky', policy: BREAKER, store: fleet.healthStore });
      expect(breaker.admit()).toMatchObject({ allowed: false, state: 'open', consecutiveFailures: 5 });
      // Written to this machine's database too, for commands that read it without Redis.
      expect(local.loadCircuit('flaky')?.state).toBe('open');
      await until(() => local.health('flaky').calls === 5, "the other process's calls here");

      for (let i = 0; i < 2; i += 1) fleet.healthStore.recordCall({ agent: 'steady', role: 'review', outcome: 'success', durationMs: 5 });
      expect(JSON.parse(await other.line('{'))).toEqual({ flakyCalls: 5 });
      expect(await other.exited).toBe(0);
      expect(local.health('steady').calls).toBe(2);
      expect(local.health('flaky')).toMatchObject({ calls: 5, successRate: 0, lastFailureKind: 'server' });
    } finally {
      await fleet.close();
    }
  }, 60_000);

  it('carries circuit changes across a Redis restart, and drops circuits Redis lost', async () => {
    const prefix = nextPrefix();
    const first = await openLocalFleet(prefix);
    const second = await openLocalFleet(prefix);
    try {
      const open = { state: 'open' as const, consecutiveFailures: 5, openedAt: 1, openUntil: 2 };
      first.fleet.healthStore.saveCircuit('before', open);
      await until(() => second.fleet.healthStore.loadCircuit('before')?.state === 'open', 'the first change');

      await redis.restart({ downMs: 300 });
      // Saved while both processes may still be reconnecting: it waits for Redis, then arrives.
      first.fleet.healthStore.saveCircuit('after', open);
      await until(() => second.fleet.healthStore.loadCircuit('after')?.state === 'open', 'the change made across the restart');
      expect(second.fleet.healthStore.loadCircuit('before')?.state).toBe('open');

      // A Redis that lost its data: the next save starts a new generation, which replaces the mirrors.
      const raw = new Redis(redis.url);
      await raw.flushall();
      raw.disconnect();
      first.fleet.healthStore.saveCircuit('fresh', { state: 'closed', consecutiveFailures: 1 });
      await until(() => second.fleet.healthStore.loadCircuit('fresh') !== undefined, 'the new generation');
      expect(second.fleet.healthStore.loadCircuit('before')).toBeUndefined();
      expect(second.local.loadCircuit('before')?.state).toBe('closed');
    } finally {
      await Promise.all([first.fleet.close(), second.fleet.close()]);
    }
  }, 60_000);
});
