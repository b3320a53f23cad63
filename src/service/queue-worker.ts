/**
 * A queue worker: takes the jobs of every queue whose tasks need only agents it has, runs at most
 * `concurrency` of them at once, and hears cancels and new queues on the fleet's channels (a
 * cancel flag in Redis is checked every second and the queue registry every few seconds too, for
 * a message lost while Redis was away).
 *
 * Tasks are sorted into one BullMQ queue per set of agents they need; a worker listens to each
 * queue whose set it covers (found in the registry the coordinators write). So a job only ever
 * reaches a worker that can run it, and within a queue jobs are taken in order — a task waits
 * only while no capable worker is free, never behind tasks that others could not serve. A worker
 * listening to several queues holds them all back while it is full; a job that still slips in
 * then is put back at once for another worker.
 *
 * Draining (SIGTERM) takes no more jobs and lets the running ones finish; handing back stops
 * them (agents killed), puts their jobs back in the queue, and another worker takes each over
 * after its last completed step.
 */
import os from 'node:os';
import path from 'node:path';
import type { Job, Worker } from 'bullmq';
import { checkAgentAvailability } from '../adapters/availability.js';
import type { OrchestratorConfig, QueueSettings } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { parseJobPayload } from '../queue/job-payload.js';
import { canServe } from '../queue/queue-keys.js';
import { openQueueClient, type QueueClient } from '../queue/queue-client.js';
import { createProblemLog } from '../queue/problem-log.js';
import { checkReachable } from '../queue/redis-client.js';
import { OrchestratorError, errorMessage } from '../shared/errors.js';
import { createAgentHealthStore } from '../resilience/agent-health-store.js';
import type { FleetResilience } from '../resilience/fleet/fleet-resilience.js';
import { databasePath, openDatabase } from '../storage/database.js';
import { createCloneCache } from '../workspace/clone-cache.js';
import { startQueueJob, type JobOutcome, type QueueJobRun } from './queue-job.js';
import { openServiceRuntime, type ServiceRuntime } from './service-runtime.js';

export interface QueueWorkerOptions {
  readonly home: string;
  readonly config: OrchestratorConfig;
  readonly settings: QueueSettings;
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  readonly baseDir: string;
  /** Tasks run at once. */
  readonly concurrency: number;
  /** The agents it offers (default: the configured ones found on this machine). */
  readonly agents?: readonly string[];
  /** How it is named in tasks' logs (default host-pid). */
  readonly name?: string;
  /** Told of every job's outcome (metrics). */
  readonly onOutcome?: (outcome: JobOutcome | 'error') => void;
}

export interface QueueWorkerStatus {
  readonly worker: string;
  readonly host: string;
  readonly agents: readonly string[];
  readonly queues: readonly string[];
  readonly concurrency: number;
  readonly running: readonly string[];
  readonly draining: boolean;
  /** The Redis connection's state (ready, connecting, reconnecting, …). */
  readonly redis: string;
}

export interface QueueWorker {
  readonly name: string;
  readonly agents: readonly string[];
  /** The worker's own runtime: its bus carries the events of the tasks it runs. */
  readonly runtime: ServiceRuntime;
  status(): QueueWorkerStatus;
  /** Takes no more jobs; settles when the running ones have ended. */
  drain(): Promise<void>;
  /** Stops the running tasks at once and puts their jobs back for other workers. */
  handBack(): Promise<void>;
  close(): Promise<void>;
}

/** A look at the registry now and then, for a new-queue message lost while Redis was away. */
const DISCOVER_MS = 5_000;
const CANCEL_POLL_MS = 1_000;
const HEARTBEAT_MS = 5_000;

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { config, settings, logger } = options;
  const host = os.hostname();
  const name = options.name ?? `${host}-${process.pid}`;
  const agents = options.agents ? checkAgents(config, options.agents) : await availableAgents(config);
  const agentSet = new Set(agents);
  const problem = createProblemLog((message) => logger.warn(message));
  const queue: QueueClient = await openQueueClient(settings, { role: `worker-${name}`, onProblem: problem });
  // The fleet's resilience: one circuit per agent for all workers, max_concurrency held across
  // them, every worker's calls in every worker's health figures.
  let fleet: FleetResilience;
  try {
    await checkReachable(queue.redis, settings.url);
    const { createFleetResilience } = await import('../resilience/fleet/fleet-resilience.js');
    const databaseFile = databasePath(options.home);
    fleet = await createFleetResilience({
      redisUrl: settings.url,
      local: createAgentHealthStore(openDatabase(databaseFile), { onError: (error) => logger.warn(`could not record an agent call: ${errorMessage(error)}`) }),
      origin: `${host}:${databaseFile}`,
      prefix: settings.name,
      // A dead worker's slots come back as its jobs stall and are taken over.
      leaseMs: settings.stall_timeout * 1000,
      logger,
    });
  } catch (error) {
    // Connections left open would retry for ever and keep the process from exiting.
    await queue.close();
    throw OrchestratorError.isInstance(error) ? error : new OrchestratorError('QUEUE_UNAVAILABLE', errorMessage(error));
  }
  const runtime = openServiceRuntime({
    home: options.home,
    config,
    logger,
    ...(options.env ? { env: options.env } : {}),
    baseDir: options.baseDir,
    shared: { health: fleet.healthStore, semaphoreFor: fleet.semaphoreFor },
  });
  for (const id of runtime.interrupted) logger.warn(`task ${id} was left unfinished by a worker process that ended here; another worker takes it over`);
  const clones = createCloneCache(path.join(options.home, 'clones'), options.env);
  const context = { runtime, queue, clones, worker: name, host };
  const workers = new Map<string, Worker>();
  const running = new Map<string, QueueJobRun>();
  const idle = new Set<() => void>();
  let draining = false;
  let closed = false;
  const stallMs = settings.stall_timeout * 1000;

  /** Holds every queue back while full or draining; lets them take jobs again when a slot frees. */
  function adjust(): void {
    const hold = draining || running.size >= options.concurrency;
    for (const worker of workers.values()) {
      if (hold && !worker.isPaused()) void worker.pause(true);
      else if (!hold && worker.isPaused()) void worker.resume();
    }
    if (running.size === 0) for (const wake of [...idle]) wake();
  }

  async function putBack(job: Job, token: string | undefined, delayMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new queue.bullmq.DelayedError();
  }

  async function processJob(job: Job, token?: string): Promise<string> {
    if (draining) return putBack(job, token, 1_000);
    if (running.size >= options.concurrency) return putBack(job, token, 250);
    let payload;
    try {
      payload = parseJobPayload(job.data);
    } catch (error) {
      throw new queue.bullmq.UnrecoverableError(errorMessage(error));
    }
    if (!canServe(agentSet, payload.agents)) return putBack(job, token, 1_000);
    const run = startQueueJob(context, payload, `${name}:${job.id ?? payload.taskId}:${job.attemptsStarted}`);
    running.set(payload.taskId, run);
    adjust();
    logger.info(`task ${payload.taskId.slice(0, 8)}: started (job ${job.id ?? '?'}, attempt ${job.attemptsStarted})`);
    let outcome: JobOutcome;
    try {
      outcome = await run.outcome;
    } catch (error) {
      options.onOutcome?.('error');
      logger.error(`task ${payload.taskId.slice(0, 8)}: ${errorMessage(error)}`);
      throw error;
    } finally {
      running.delete(payload.taskId);
      adjust();
    }
    options.onOutcome?.(outcome);
    logger.info(`task ${payload.taskId.slice(0, 8)}: ${outcome}`);
    if (outcome === 'cancelled') throw new queue.bullmq.UnrecoverableError('cancelled by the user');
    if (outcome === 'handed-back') {
      await job.moveToWait(token);
      throw new queue.bullmq.WaitingError();
    }
    if (outcome === 'lost') throw new Error('another worker took the task over');
    return outcome;
  }

  function listen(queueName: string): void {
    const worker = new queue.bullmq.Worker(queueName, processJob, {
      connection: queue.connection,
      concurrency: options.concurrency,
      name,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      maxStalledCount: settings.max_takeovers,
      // Started held: adjust() lets it take jobs when this worker has room.
      autorun: false,
    });
    worker.on('error', (error: Error) => problem(`queue ${queueName}: ${error.message}`));
    void worker.pause(true);
    workers.set(queueName, worker);
    logger.info(`listening to ${queueName}`);
  }

  async function discover(): Promise<void> {
    const registry = await queue.redis.hgetall(queue.keys.registry);
    for (const [queueName, needs] of Object.entries(registry)) {
      if (workers.has(queueName)) continue;
      let list: string[];
      try {
        list = (JSON.parse(needs) as unknown[]).map(String);
      } catch {
        continue;
      }
      if (canServe(agentSet, list)) listen(queueName);
    }
    adjust();
  }

  async function beat(): Promise<void> {
    const info = { agents, host, pid: process.pid, concurrency: options.concurrency, running: running.size, draining, seen: Date.now() };
    await queue.redis.hset(queue.keys.workers, name, JSON.stringify(info));
  }

  async function checkCancels(): Promise<void> {
    for (const [taskId, run] of running) if (await queue.streams.cancelRequested(taskId)) run.cancel();
  }

  const lookForQueues = (): void => void discover().catch((error: unknown) => problem(`could not look for queues: ${errorMessage(error)}`));
  const subscriber = await queue.subscriber();
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === queue.keys.cancelChannel) running.get(message)?.cancel();
    else if (channel === queue.keys.registryChannel) lookForQueues();
  });
  // Subscribed before the first look at the registry: a queue added in between is announced.
  await subscriber.subscribe(queue.keys.cancelChannel, queue.keys.registryChannel);
  // Back after a Redis outage: queues added meanwhile were announced to nobody.
  subscriber.on('ready', lookForQueues);
  const timers = [
    setInterval(lookForQueues, DISCOVER_MS),
    setInterval(() => void checkCancels().catch((error: unknown) => problem(`could not check for cancels: ${errorMessage(error)}`)), CANCEL_POLL_MS),
    setInterval(() => void beat().catch((error: unknown) => problem(`could not announce this worker: ${errorMessage(error)}`)), HEARTBEAT_MS),
  ];
  await beat();
  await discover();
  logger.info(`worker ${name} ready: agents ${agents.length > 0 ? agents.join(', ') : '(none)'}, concurrency ${options.concurrency}, queue ${settings.name}`);

  function untilIdle(): Promise<void> {
    if (running.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        idle.delete(wake);
        resolve();
      };
      idle.add(wake);
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const timer of timers) clearInterval(timer);
    await Promise.allSettled([...workers.values()].map((worker) => worker.close()));
    await queue.redis.hdel(queue.keys.workers, name).catch(() => undefined);
    await queue.close();
    await fleet.close();
  }

  return {
    name,
    agents,
    runtime,
    status: () => ({
      worker: name,
      host,
      agents,
      queues: [...workers.keys()],
      concurrency: options.concurrency,
      running: [...running.keys()],
      draining,
      redis: queue.redis.status,
    }),
    async drain() {
      draining = true;
      adjust();
      await untilIdle();
    },
    async handBack() {
      draining = true;
      adjust();
      for (const run of running.values()) run.handBack();
      await untilIdle();
    },
    close,
  };
}

function checkAgents(config: OrchestratorConfig, names: readonly string[]): string[] {
  for (const agent of names) {
    if (!Object.hasOwn(config.agents, agent)) {
      throw new OrchestratorError('AGENT_NOT_FOUND', `--agents: unknown agent "${agent}" (known: ${Object.keys(config.agents).join(', ') || 'none'})`);
    }
    if (config.agents[agent]?.enabled === false) throw new OrchestratorError('AGENT_NOT_FOUND', `--agents: agent "${agent}" is disabled`);
  }
  return [...new Set(names)].sort();
}

/** The configured, enabled agents this machine can run now (their command on PATH, their server answering). */
async function availableAgents(config: OrchestratorConfig): Promise<string[]> {
  const entries = Object.entries(config.agents).filter(([, agent]) => agent.enabled);
  const checked = await Promise.all(entries.map(async ([agentName, agent]) => ((await checkAgentAvailability(agent, { timeoutMs: 2_000 })).available ? agentName : undefined)));
  return checked.filter((agentName): agentName is string => agentName !== undefined).sort();
}
