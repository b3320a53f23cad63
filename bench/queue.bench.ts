/**
 * Queue mode, all real processes (redis-server, `serve --queue`, `worker`s of the built CLI, the
 * queue fixture agent, a git repository):
 *  1. throughput: 20 one-step tasks of an agent that sleeps 2 s, with 1, 2 and 4 workers of
 *     concurrency 1 — from the first submit to the last `task.finished`, median of BENCH_RUNS
 *     interleaved rounds; the ratio against 1 worker (targets ≥ 1.8× with 2, ≥ 3.4× with 4), and
 *     where each task's time around its step went (the worker's set-up and wrap-up, the agent's
 *     start and end, the pick-up of the next job, medians) and the CPU per task of each process;
 *  2. overhead: one idle worker, one task at a time of an instant agent — submit → the worker's
 *     first event (`task.assigned`) and submit → `step.started`, p50/p99, beside submit →
 *     `step.started` of the same task run in-process by a `serve` without a queue (the baseline).
 *
 *   npm run bench -- queue          (BENCH_RUNS=3, BENCH_TASKS=30, BENCH_WORKERS=1,2,4 by default;
 *                                    BENCH_TASKS=0 leaves the overhead part out)
 *
 * BENCH_BASELINE=<another built checkout> runs its CLI too, in the same rounds (each worker count
 * once with each build, the order swapped every round), for before/after figures from one run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import type { OrchestratorEvent } from '../src/events/events.js';
import { CLI } from '../test/helpers/cli.js';
import { createFleet, TOKEN, until, type Coordinator, type Fleet } from '../test/helpers/queue-fleet.js';
import { REDIS_UNAVAILABLE, startRedisServer, type RedisServer } from '../test/helpers/redis-server.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const OVERHEAD_TASKS = Number(process.env['BENCH_TASKS'] ?? 30);
const THROUGHPUT_TASKS = 20;
const SLEEP_MS = 2_000;
/** BENCH_WORKERS=1,4 for a subset; the ratios need 1 among them. */
const WORKER_COUNTS: readonly number[] = (process.env['BENCH_WORKERS'] ?? '1,2,4').split(',').map(Number);
const ONE_STEP = { one: [{ agent: 'writer', task: 'implement' }] };
const BASELINE = process.env['BENCH_BASELINE'];
const BUILDS: readonly { readonly name: string; readonly cli?: string }[] = [
  { name: 'current' },
  ...(BASELINE ? [{ name: 'baseline', cli: path.resolve(BASELINE, 'dist/bin.js') }] : []),
];
const DONE = new Set(['completed', 'failed', 'cancelled']);

type EventOf<K extends OrchestratorEvent['type']> = Extract<OrchestratorEvent, { type: K }>;

function first<K extends OrchestratorEvent['type']>(fleet: Fleet, home: string, taskId: string, type: K): EventOf<K> | undefined {
  return fleet
    .events(home, taskId)
    .map((stored) => stored.event)
    .find((event): event is EventOf<K> => event.type === type);
}

async function finished(fleet: Fleet, home: string, taskId: string): Promise<void> {
  const task = await fleet.waitForTask(home, taskId, (t) => DONE.has(t.status), 300_000);
  if (task.status !== 'completed') throw new Error(`task ${taskId} ended ${task.status}: ${JSON.stringify(first(fleet, home, taskId, 'task.finished'))}`);
}

let fleets = 0;
const newFleet = (redis: RedisServer, writerMs: number, cli?: string): Fleet =>
  createFleet({ redisUrl: redis.url, name: `bench${++fleets}`, writerMs, workflows: ONE_STEP, ...(cli ? { cli } : {}) });

function cleanUp(fleet: Fleet): void {
  rmSync(fleet.root, { recursive: true, force: true });
  rmSync(fleet.repo, { recursive: true, force: true });
}

/** CPU time (ms) of a process and of its children it has waited for, from /proc (Linux; 0 elsewhere). */
function cpuOf(pid: number | undefined): { self: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // utime, stime, cutime, cstime in USER_HZ (100 per second on Linux).
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
    return { self: (utime + stime) * 10, children: (cutime + cstime) * 10 };
  } catch {
    return { self: 0, children: 0 };
  }
}

/** CPU per task (ms) during one throughput run, by process. */
interface CpuPerTask {
  /** The worker processes themselves. */
  readonly workers: number;
  /** What they started: git and the agents. */
  readonly workerChildren: number;
  /** The coordinator (`serve --queue`) with its git calls. */
  readonly coordinator: number;
  readonly redis: number;
  /** This process: submitting and watching for the ends. */
  readonly bench: number;
}

interface Makespan {
  readonly seconds: number;
  readonly workersUsed: number;
  /** Tasks of the worker that ran the most (20 / workers when evenly spread). */
  readonly mostTasksOnOneWorker: number;
  /** Per task: the worker's set-up (task.assigned → step.started) and wrap-up (step.finished → task.finished), ms. */
  readonly setUpMs: number[];
  readonly wrapUpMs: number[];
  /** Per task: its agent's own start after step.started, and step.finished after the agent's own end, ms. */
  readonly agentStartMs: number[];
  readonly agentEndMs: number[];
  /** The first submit to the first task.assigned, ms. */
  readonly firstPickUpMs: number;
  /** On each worker, one task.finished to its next task.assigned, ms. */
  readonly pickUpGapMs: number[];
  readonly cpu: CpuPerTask;
  /** The machine's 1-minute load average as the run ended. */
  readonly load: number;
}

/** Seconds from the first submit to the last task.finished, how many workers took tasks, where the time around the step went. */
async function makespan(redis: RedisServer, workers: number, cli?: string): Promise<Makespan> {
  const fleet = newFleet(redis, SLEEP_MS, cli);
  try {
    const processes = await Promise.all(Array.from({ length: workers }, (_v, i) => fleet.startWorker(`w${i + 1}`)));
    const coordinator = await fleet.startCoordinator();
    const cpuNow = () => ({
      workers: processes.map((worker) => cpuOf(worker.child.pid)),
      coordinator: cpuOf(coordinator.child.pid),
      redis: cpuOf(redis.pid()),
      bench: process.cpuUsage(),
    });
    const cpuBefore = cpuNow();
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < THROUGHPUT_TASKS; i++) ids.push(await coordinator.submit({ task: `sleep ${i}`, workflow: 'one' }));
    for (const id of ids) await finished(fleet, coordinator.home, id);
    const cpuAfter = cpuNow();
    const ends = ids.map((id) => Date.parse(first(fleet, coordinator.home, id, 'task.finished')?.timestamp ?? ''));
    const takerOf = ids.map((id) => first(fleet, coordinator.home, id, 'task.assigned')?.worker);
    const takers = new Set(takerOf);
    const mostTasksOnOneWorker = Math.max(...[...takers].map((worker) => takerOf.filter((w) => w === worker).length));
    const at = (id: string, type: OrchestratorEvent['type']): number => Date.parse(first(fleet, coordinator.home, id, type)?.timestamp ?? '');
    return {
      seconds: (Math.max(...ends) - started) / 1000,
      workersUsed: takers.size,
      mostTasksOnOneWorker,
      setUpMs: ids.map((id) => at(id, 'step.started') - at(id, 'task.assigned')),
      wrapUpMs: ids.map((id) => at(id, 'task.finished') - at(id, 'step.finished')),
      ...agentTimes(fleet, ids, at),
      firstPickUpMs: Math.min(...ids.map((id) => at(id, 'task.assigned'))) - started,
      pickUpGapMs: [...takers].flatMap((worker) => {
        const mine = ids.filter((_id, i) => takerOf[i] === worker).sort((a, b) => at(a, 'task.assigned') - at(b, 'task.assigned'));
        return mine.slice(1).map((id, i) => at(id, 'task.assigned') - at(mine[i] ?? id, 'task.finished'));
      }),
      cpu: cpuPerTask(cpuBefore, cpuAfter),
      load: os.loadavg()[0] ?? 0,
    };
  } finally {
    await fleet.stop();
    cleanUp(fleet);
  }
}

/** When each task's agent ran by its own clock (the fixture logs it), against the step's events. */
function agentTimes(fleet: Fleet, ids: readonly string[], at: (id: string, type: OrchestratorEvent['type']) => number): { agentStartMs: number[]; agentEndMs: number[] } {
  const runs = fleet.agentRuns();
  const intervals = fleet.agentIntervals();
  const of = (id: string) => {
    const run = runs.find((r) => r.cwd.includes(id));
    return run ? intervals.find((interval) => interval.pid === run.pid) : undefined;
  };
  return {
    agentStartMs: ids.flatMap((id) => {
      const interval = of(id);
      return interval ? [interval.start - at(id, 'step.started')] : [];
    }),
    agentEndMs: ids.flatMap((id) => {
      const interval = of(id);
      return interval ? [at(id, 'step.finished') - interval.end] : [];
    }),
  };
}

type CpuSnapshot = { workers: { self: number; children: number }[]; coordinator: { self: number; children: number }; redis: { self: number }; bench: NodeJS.CpuUsage };

function cpuPerTask(before: CpuSnapshot, after: CpuSnapshot): CpuPerTask {
  const sum = (snapshot: CpuSnapshot, part: 'self' | 'children') => snapshot.workers.reduce((total, worker) => total + worker[part], 0);
  const per = (ms: number) => Math.round(ms / THROUGHPUT_TASKS);
  const bench = (after.bench.user + after.bench.system - before.bench.user - before.bench.system) / 1000;
  return {
    workers: per(sum(after, 'self') - sum(before, 'self')),
    workerChildren: per(sum(after, 'children') - sum(before, 'children')),
    coordinator: per(after.coordinator.self + after.coordinator.children - before.coordinator.self - before.coordinator.children),
    redis: per(after.redis.self - before.redis.self),
    bench: per(bench),
  };
}

/** Milliseconds from submit to the task's first event of `types`, one task at a time. */
async function latencies(fleet: Fleet, coordinator: Coordinator, types: readonly OrchestratorEvent['type'][]): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(types.map((type) => [type, []]));
  for (let i = 0; i < OVERHEAD_TASKS + 2; i++) {
    const submitted = Date.now();
    const id = await coordinator.submit({ task: `instant ${i}`, workflow: 'one' });
    await finished(fleet, coordinator.home, id);
    if (i < 2) continue; // warm-up: the first task of a queue finds its queue, clone and caches cold
    for (const type of types) samples.get(type)?.push(Date.parse(first(fleet, coordinator.home, id, type)?.timestamp ?? '') - submitted);
  }
  return samples;
}

/** A `serve` of the same config without `settings.queue`: tasks run in its own process. */
async function startLocalServe(fleet: Fleet): Promise<{ coordinator: Coordinator; child: ChildProcess }> {
  const config = parse(readFileSync(fleet.configFile, 'utf8')) as { settings: Record<string, unknown> };
  delete config.settings['queue'];
  const configFile = path.join(fleet.root, 'local.yaml');
  writeFileSync(configFile, stringify(config));
  const home = path.join(fleet.root, 'local-home');
  mkdirSync(home, { recursive: true });
  const child = spawn(process.execPath, [CLI, '--config', configFile, 'serve', '--port', '0', '--cwd', fleet.repo], {
    cwd: fleet.repo,
    env: { ...process.env, NO_COLOR: '1', AI_ORCHESTRATOR_HOME: home, AI_ORCHESTRATOR_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await until(() => /serving on http/.test(out) || child.exitCode !== null, 20_000, 'the local serve to start');
  const url = /serving on (http:\/\/\S+)/.exec(out)?.[1];
  if (!url) throw new Error('the local serve did not start');
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const coordinator: Coordinator = {
    url,
    home,
    child,
    async submit(body) {
      const response = await fetch(`${url}/api/execute`, { method: 'POST', headers, body: JSON.stringify(body) });
      const json = (await response.json()) as { task_id?: string };
      if (response.status !== 202 || !json.task_id) throw new Error(`submit answered ${response.status}: ${JSON.stringify(json)}`);
      return json.task_id;
    },
    api: (method, route) => fetch(`${url}${route}`, { method, headers: { authorization: headers.authorization } }),
  };
  return { coordinator, child };
}

async function overhead(redis: RedisServer): Promise<Record<string, unknown>> {
  const fleet = newFleet(redis, 0);
  try {
    await fleet.startWorker('idle');
    const queued = await latencies(fleet, await fleet.startCoordinator(), ['task.assigned', 'step.started']);
    const local = await startLocalServe(fleet);
    const inProcess = await latencies(fleet, local.coordinator, ['step.started']);
    local.child.kill('SIGTERM');
    const summary = (values: readonly number[] = []) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
    return {
      tasks: OVERHEAD_TASKS,
      queue_submit_to_first_worker_event_ms: summary(queued.get('task.assigned')),
      queue_submit_to_step_started_ms: summary(queued.get('step.started')),
      in_process_submit_to_step_started_ms: summary(inProcess.get('step.started')),
    };
  } finally {
    await fleet.stop();
    cleanUp(fleet);
  }
}

export async function run(): Promise<void> {
  if (REDIS_UNAVAILABLE) {
    console.error('queue bench skipped: /usr/bin/redis-server is not installed (apt-get install redis-server)');
    return;
  }
  const redis = await startRedisServer();
  const loadBefore = os.loadavg()[0] ?? 0;
  try {
    const results = new Map<string, Map<number, Makespan[]>>(BUILDS.map((build) => [build.name, new Map(WORKER_COUNTS.map((n) => [n, []]))]));
    for (let round = 0; round < RUNS; round++) {
      for (const workers of WORKER_COUNTS) {
        // Swapped every round: neither build always runs right after the other.
        for (const build of round % 2 === 0 ? BUILDS : [...BUILDS].reverse()) {
          const result = await makespan(redis, workers, build.cli);
          results.get(build.name)?.get(workers)?.push(result);
          console.error(
            `round ${round + 1}: ${build.name}: ${workers} worker(s): ${result.seconds.toFixed(2)} s, ${result.workersUsed} took tasks, at most ${result.mostTasksOnOneWorker} each, load ${result.load.toFixed(2)}`,
          );
        }
      }
    }
    const figures = (runs: ReadonlyMap<number, Makespan[]>): Record<string, unknown> => {
      const median = (n: number): number => percentile((runs.get(n) ?? []).map((r) => r.seconds), 50);
      return Object.fromEntries(
        WORKER_COUNTS.map((n) => {
          const of = runs.get(n) ?? [];
          return [
            `workers_${n}`,
            {
              makespan_s_median: round2(median(n)),
              makespan_s_runs: of.map((r) => round2(r.seconds)),
              tasks_per_minute: round2((THROUGHPUT_TASKS / median(n)) * 60),
              ratio_vs_1_worker: round2(median(1) / median(n)),
              workers_that_took_tasks: of.map((r) => r.workersUsed),
              most_tasks_on_one_worker: of.map((r) => r.mostTasksOnOneWorker),
              worker_set_up_ms_median: percentile(of.flatMap((r) => r.setUpMs), 50),
              worker_wrap_up_ms_median: percentile(of.flatMap((r) => r.wrapUpMs), 50),
              agent_start_ms_median: percentile(of.flatMap((r) => r.agentStartMs), 50),
              agent_end_to_step_finished_ms_median: percentile(of.flatMap((r) => r.agentEndMs), 50),
              pick_up_gap_ms_median: percentile(of.flatMap((r) => r.pickUpGapMs), 50),
              first_pick_up_ms_runs: of.map((r) => r.firstPickUpMs),
              cpu_ms_per_task_median: {
                workers: percentile(of.map((r) => r.cpu.workers), 50),
                worker_children: percentile(of.map((r) => r.cpu.workerChildren), 50),
                coordinator: percentile(of.map((r) => r.cpu.coordinator), 50),
                redis: percentile(of.map((r) => r.cpu.redis), 50),
                bench: percentile(of.map((r) => r.cpu.bench), 50),
              },
              load_at_end_of_runs: of.map((r) => round2(r.load)),
            },
          ];
        }),
      );
    };
    const [current, ...others] = BUILDS.map((build) => figures(results.get(build.name) ?? new Map()));
    const throughput = { ...current, ...(others[0] ? { baseline: { checkout: BASELINE, ...others[0] } } : {}) };
    // BENCH_TASKS=0: throughput only.
    const overheadFigures = OVERHEAD_TASKS > 0 ? await overhead(redis) : 'skipped';
    const json = {
      benchmark: 'queue',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      load: { before: round2(loadBefore), after: round2(os.loadavg()[0] ?? 0) },
      throughput: { tasks: THROUGHPUT_TASKS, agent_sleep_ms: SLEEP_MS, rounds: RUNS, targets: { workers_2: 1.8, workers_4: 3.4 }, ...throughput },
      overhead: overheadFigures,
    };
    console.log(JSON.stringify(json, null, 2));
  } finally {
    await redis.stop();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
