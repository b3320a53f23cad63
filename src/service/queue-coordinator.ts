/**
 * The coordinator's side of queue mode (the process a task was submitted to: `serve`, or
 * `run --queue`). It stays the source of truth: the task row and its event log live in its
 * database. A task is handed to the fleet as a BullMQ job together with its events so far (the
 * task's Redis stream is seeded from the log); from then until it ends, only the stream writes
 * the task's log — a worker appends each event with the seq the log will give it, and whoever
 * follows the task stores them through the one recorder, each seq once, so `tasks watch`, SSE,
 * Socket.IO and MCP progress read it like a local task's log.
 *
 * Any process with the queue configured may follow a task (a restarted `serve`, `tasks watch`,
 * `tasks cancel`): the stored seq sits beside the task (queue_tasks), so two followers never
 * store an event twice. A job the queue gave up on (its workers kept dying) or lost (Redis lost
 * its data) ends the task as failed with that reason.
 */
import os from 'node:os';
import path from 'node:path';
import type { QueueSettings } from '../config/schema.js';
import { findWorkflow } from '../config/workflows.js';
import type { OrchestratorEvent, StoredEvent } from '../events/events.js';
import type { JobPayload } from '../queue/job-payload.js';
import { canServe } from '../queue/queue-keys.js';
import { openQueueClient, preloadQueueModules, type QueueClient } from '../queue/queue-client.js';
import { createQueueStore, type DeliveredResult, type QueueStore } from '../queue/queue-store.js';
import { createProblemLog } from '../queue/problem-log.js';
import { checkReachable, displayUrl } from '../queue/redis-client.js';
import { NotOwnerError, readStreams, type StreamBatch } from '../queue/task-stream.js';
import { OrchestratorError, errorMessage } from '../shared/errors.js';
import { writePrivateFile } from '../storage/private-files.js';
import { isFinal } from '../tasks/task-state.js';
import { resolveQueuedSource } from './queue-source.js';
import type { ServiceRuntime } from './service-runtime.js';
import type { TaskResult } from './task-run.js';

export interface QueueDispatch {
  readonly taskId: string;
  /** What the user typed, and what the agents get. */
  readonly task: string;
  readonly promptTask: string;
  readonly workflow: string;
  readonly cwd: string;
  readonly maxIterations?: number;
  readonly offline: boolean;
  readonly budgetUsd?: number;
  readonly repo?: string;
  readonly base?: string;
  readonly projectPath?: string;
  readonly projectId?: string;
}

export interface QueueCoordinator {
  readonly settings: QueueSettings;
  /** Hands a stored task to the fleet; rejects (QUEUE_UNAVAILABLE, INVALID_INPUT) when it cannot. */
  dispatch(task: QueueDispatch): Promise<void>;
  /** Hands a resumed task (its task.resumed already logged) to the fleet again. */
  redispatch(taskId: string): Promise<void>;
  /** Stores the task's events as they come until it ends; settles with its result. */
  follow(taskId: string): Promise<TaskResult>;
  /** Stops storing the task's events here (it goes on in the fleet). */
  unfollow(taskId: string): void;
  /** Asks the fleet to stop the task; settles once it ended or `timeoutMs` passed. */
  cancel(taskId: string, timeoutMs: number): Promise<void>;
  /** Whether the task was handed to this fleet. */
  has(taskId: string): boolean;
  /** Queued tasks of this database that have not ended. */
  unfinished(): string[];
  close(): Promise<void>;
}

/** How long a follower waits in one blocking read: also how soon it notices a newly followed task. */
const READ_BLOCK_MS = 200;
/** How often followed tasks' jobs are looked at (given up on, lost). */
const JOB_CHECK_MS = 3_000;
const WAITING_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);
/** A worker that said nothing for this long is not counted as able to take a task. */
const WORKER_SEEN_MS = 15_000;

interface Follower {
  readonly done: Promise<TaskResult>;
  readonly resolve: (result: TaskResult) => void;
  /** The last seq of the task's stream read here (stored here or by another follower). */
  read: number;
  /** Its end was read: settle it once stored. */
  ended: boolean;
}

export function createQueueCoordinator(runtime: ServiceRuntime, settings: QueueSettings, baseDir: string): QueueCoordinator {
  const { store, log, bus, logger, config } = runtime;
  const queueStore: QueueStore = createQueueStore(runtime.db);
  const token = `coordinator:${os.hostname()}:${process.pid}`;
  const followers = new Map<string, Follower>();
  let opened: Promise<QueueClient> | undefined;
  let loop: Promise<void> | undefined;
  let closed = false;
  let lastJobCheck = 0;
  let checkingJobs = false;

  // Whatever made this coordinator is about to use the queue: its modules load meanwhile.
  preloadQueueModules();
  const problem = createProblemLog((message) => logger.warn(message));
  const client = (): Promise<QueueClient> => {
    opened ??= openQueueClient(settings, { role: 'coordinator', onProblem: problem });
    return opened;
  };
  const stamp = (): string => new Date().toISOString();
  const keepSeconds = settings.keep_hours * 3600;

  async function lookupMemory(task: QueueDispatch): Promise<string> {
    if (!config.settings.enable_context_memory) return '';
    const memory = await runtime.memory(task.projectPath);
    if (!memory.memory) return '';
    try {
      return await memory.memory.getRelevantContext(task.promptTask, {
        ...(task.projectId ? { projectId: task.projectId } : {}),
        tokenBudget: memory.tokenBudget ?? 1500,
      });
    } catch (error) {
      logger.warn(`memory lookup failed, continuing without it: ${errorMessage(error)}`);
      return '';
    }
  }

  /** Seeds the task's stream from its log and adds the job. */
  async function enqueue(queue: QueueClient, taskId: string, payload: JobPayload, jobId: string): Promise<number> {
    const events = readAll(taskId);
    const lastSeq = events.at(-1)?.seq ?? 0;
    const bullQueue = queue.keys.queueFor(payload.agents);
    const added = await queue.redis.hset(queue.keys.registry, bullQueue, JSON.stringify([...payload.agents].sort()));
    // Workers listen to a new queue at once instead of at their next look at the registry.
    if (added > 0) await queue.redis.publish(queue.keys.registryChannel, bullQueue);
    await queue.redis.del(queue.keys.cancel(taskId));
    await queue.streams.seed(taskId, token, events);
    await queue.queue(bullQueue).add('task', payload, {
      jobId,
      attempts: 1,
      removeOnComplete: { age: keepSeconds },
      removeOnFail: { age: keepSeconds },
    });
    return lastSeq;
  }

  function readAll(taskId: string): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (;;) {
      const page = log.read(taskId, { since: out.at(-1)?.seq ?? 0, limit: 5_000 });
      out.push(...page);
      if (page.length < 5_000) return out;
    }
  }

  async function noteIfNobodyCanServe(queue: QueueClient, taskId: string, agents: readonly string[], seq: number): Promise<void> {
    const workers = await queue.redis.hgetall(queue.keys.workers);
    const now = Date.now();
    const able = Object.values(workers).some((text) => {
      try {
        const info = JSON.parse(text) as { agents?: unknown; seen?: unknown };
        return typeof info.seen === 'number' && now - info.seen < WORKER_SEEN_MS && Array.isArray(info.agents) && canServe(new Set(info.agents.map(String)), agents);
      } catch {
        return false;
      }
    });
    if (able) return;
    const message = `no live worker of queue "${settings.name}" has ${agents.length > 0 ? `the agents ${agents.join(', ')}` : 'started'} yet: the task waits until one does`;
    logger.warn(`task ${taskId.slice(0, 8)}: ${message}`);
    await queue.streams.append(taskId, token, seq + 1, { type: 'workspace.notice', taskId, timestamp: stamp(), message }).catch((error: unknown) => {
      // A worker took the task meanwhile: the notice is moot.
      if (!(error instanceof NotOwnerError)) throw error;
    });
  }

  async function dispatch(task: QueueDispatch): Promise<void> {
    const queue = await client();
    await checkReachable(queue.redis, settings.url);
    const source = await resolveQueuedSource({
      cwd: task.cwd,
      baseDir,
      ...(task.repo !== undefined ? { repo: task.repo } : {}),
      ...(task.base !== undefined ? { base: task.base } : {}),
      ...(settings.remote ? { remote: settings.remote } : {}),
    });
    if (source.notice) bus.publish({ type: 'workspace.notice', taskId: task.taskId, timestamp: stamp(), message: source.notice });
    const memoryBlock = await lookupMemory(task);
    store.setMemoryBlock(task.taskId, memoryBlock);
    const agents = requiredAgents(task.workflow);
    const payload: JobPayload = {
      v: 1,
      taskId: task.taskId,
      task: task.task,
      promptTask: task.promptTask,
      workflow: task.workflow,
      ...(task.maxIterations !== undefined ? { maxIterations: task.maxIterations } : {}),
      offline: task.offline,
      ...(task.budgetUsd !== undefined ? { budgetUsd: task.budgetUsd } : {}),
      repo: source.repo,
      ...(source.base !== undefined ? { base: source.base } : {}),
      subdir: source.subdir,
      memoryBlock,
      agents,
    };
    const jobId = `${task.taskId}-1`;
    queueStore.add({
      taskId: task.taskId,
      fleet: settings.name,
      url: displayUrl(settings.url),
      bullQueue: queue.keys.queueFor(agents),
      jobId,
      repo: source.repo,
      ...(source.base !== undefined ? { base: source.base } : {}),
      subdir: source.subdir,
      agents,
      storedSeq: log.lastSeq(task.taskId),
    });
    const lastSeq = await enqueue(queue, task.taskId, payload, jobId);
    logger.info(`task ${task.taskId.slice(0, 8)} queued on ${displayUrl(settings.url)} (${queue.keys.queueFor(agents)}${agents.length > 0 ? `: ${agents.join(', ')}` : ''})`);
    await noteIfNobodyCanServe(queue, task.taskId, agents, lastSeq).catch((error: unknown) => problem(`could not look for workers: ${errorMessage(error)}`));
  }

  async function redispatch(taskId: string): Promise<void> {
    const record = queueStore.get(taskId);
    const task = store.get(taskId);
    if (!record || !task) throw new OrchestratorError('TASK_NOT_FOUND', `task ${taskId} was not handed to the queue here`);
    const queue = await client();
    await checkReachable(queue.redis, settings.url);
    const inputs = store.resumeInputs(taskId);
    const payload: JobPayload = {
      v: 1,
      taskId,
      task: task.task,
      promptTask: inputs?.promptTask ?? task.task,
      workflow: task.workflow,
      maxIterations: task.maxIterations,
      offline: false,
      ...(inputs?.budgetUsd !== undefined ? { budgetUsd: inputs.budgetUsd } : {}),
      repo: record.repo,
      ...(record.base !== undefined ? { base: record.base } : {}),
      subdir: record.subdir,
      memoryBlock: inputs?.memoryBlock ?? '',
      agents: [...record.agents],
    };
    const jobId = `${taskId}-${record.dispatches + 1}`;
    queueStore.redispatch(taskId, jobId, log.lastSeq(taskId));
    await enqueue(queue, taskId, payload, jobId);
  }

  /** Ends a task whose job will not end it (removed before a worker took it, given up on, lost). */
  async function endFromHere(queue: QueueClient, taskId: string, status: 'failed' | 'cancelled', reason: string): Promise<void> {
    const task = store.get(taskId);
    if (!task || isFinal(task.status)) return;
    await queue.streams.claim(taskId, token);
    const seq = Math.max(await queue.streams.lastSeq(taskId), queueStore.get(taskId)?.storedSeq ?? 0) + 1;
    const event: OrchestratorEvent = {
      type: 'task.finished',
      taskId,
      timestamp: stamp(),
      status,
      success: false,
      stopReason: status === 'cancelled' ? 'cancelled' : 'failed',
      reason,
      iterations: task.iterations,
      finalOutput: '',
      durationMs: 0,
      usage: task.usage,
    };
    await queue.streams.append(taskId, token, seq, event);
  }

  async function keepResult(queue: QueueClient, event: Extract<OrchestratorEvent, { type: 'workspace.result' }>): Promise<void> {
    let bundle: string | undefined;
    if (event.delivery === 'bundle') {
      const bytes = await queue.streams.result(event.taskId);
      if (bytes) {
        bundle = path.join(runtime.home, 'queue-results', `${event.taskId}.bundle`);
        writePrivateFile(bundle, bytes);
      } else {
        problem(`task ${event.taskId.slice(0, 8)}: its result bundle is no longer in Redis`);
      }
    }
    const result: DeliveredResult = {
      delivery: event.delivery,
      repo: event.repo,
      branch: event.branch,
      baseCommit: event.baseCommit,
      ...(event.commit ? { commit: event.commit } : {}),
      ...(bundle ? { bundle } : {}),
    };
    queueStore.setResult(event.taskId, result);
  }

  async function storeBatch(queue: QueueClient, taskId: string, batch: StreamBatch): Promise<void> {
    for (const stored of batch.events) if (stored.event.type === 'workspace.result') await keepResult(queue, stored.event);
    runtime.db
      .transaction(() => {
        for (const stored of batch.events) {
          // Another follower stored it already: each seq is stored once, wherever it is read.
          if (queueStore.advance(taskId, stored.seq)) bus.publish(stored.event);
        }
        queueStore.advance(taskId, batch.through);
      })
      .immediate();
    const follower = followers.get(taskId);
    if (!follower) return;
    follower.read = Math.max(follower.read, batch.through);
    if (batch.events.some((stored) => stored.event.type === 'task.finished')) follower.ended = true;
  }

  /** Resolves the followers of tasks that ended: those whose end was read, or (`all`) any. */
  function settleEnded(queue: QueueClient, all: boolean): void {
    for (const [taskId, follower] of followers) {
      if (!all && !follower.ended) continue;
      const task = store.get(taskId);
      if (!task || !isFinal(task.status)) continue;
      followers.delete(taskId);
      follower.resolve(resultOf(taskId));
      void queue.streams.expire(taskId, keepSeconds).catch((error: unknown) => problem(`could not let task ${taskId.slice(0, 8)}'s keys expire: ${errorMessage(error)}`));
    }
  }

  async function checkJobs(queue: QueueClient): Promise<void> {
    for (const taskId of followers.keys()) {
      const record = queueStore.get(taskId);
      const task = store.get(taskId);
      if (!record || !task || isFinal(task.status)) continue;
      // Events not stored yet may end it: look again after they are.
      if ((await queue.streams.lastSeq(taskId)) > record.storedSeq) continue;
      const job = await queue.queue(record.bullQueue).getJob(record.jobId);
      if (!job) {
        await endFromHere(queue, taskId, 'failed', `the queue no longer has the task's job (Redis at ${displayUrl(settings.url)} lost its data?)`);
        continue;
      }
      const state = await job.getState();
      if (state === 'failed') {
        const why = job.failedReason || 'unknown reason';
        const reason = /stalled/i.test(why)
          ? `its workers stopped answering more often than settings.queue.max_takeovers allows (${why})`
          : `the queue gave up on its job: ${why}`;
        await endFromHere(queue, taskId, 'failed', reason);
      }
    }
  }

  async function runLoop(): Promise<void> {
    const queue = await client();
    const reader = await queue.blocking();
    while (followers.size > 0 && !closed) {
      const cursors = new Map([...followers].map(([id, follower]) => [id, follower.read]));
      try {
        const batches = await readStreams(reader, queue.keys, cursors, { blockMs: READ_BLOCK_MS });
        for (const [taskId, batch] of batches) await storeBatch(queue, taskId, batch);
      } catch (error) {
        if (closed) break;
        problem(`could not read queued tasks' events: ${errorMessage(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      const lookAtJobs = !checkingJobs && Date.now() - lastJobCheck > JOB_CHECK_MS;
      // Every task's row now and then too: an end stored by a follower elsewhere is seen here.
      settleEnded(queue, lookAtJobs);
      if (lookAtJobs) {
        lastJobCheck = Date.now();
        checkingJobs = true;
        void checkJobs(queue)
          .catch((error: unknown) => problem(`could not check queued jobs: ${errorMessage(error)}`))
          .finally(() => {
            checkingJobs = false;
          });
      }
    }
  }

  function ensureLoop(): void {
    loop ??= runLoop()
      .catch((error: unknown) => problem(`following queued tasks stopped: ${errorMessage(error)}`))
      .finally(() => {
        loop = undefined;
        if (followers.size > 0 && !closed) ensureLoop();
      });
  }

  function follow(taskId: string): Promise<TaskResult> {
    const existing = followers.get(taskId);
    if (existing) return existing.done;
    const task = store.get(taskId);
    if (task && isFinal(task.status)) return Promise.resolve(resultOf(taskId));
    let resolve: (result: TaskResult) => void = () => undefined;
    const done = new Promise<TaskResult>((settle) => {
      resolve = settle;
    });
    followers.set(taskId, { done, resolve, read: queueStore.get(taskId)?.storedSeq ?? 0, ended: false });
    ensureLoop();
    return done;
  }

  function resultOf(taskId: string): TaskResult {
    const task = store.get(taskId);
    if (!task) throw new OrchestratorError('TASK_NOT_FOUND', `task ${taskId} not found`);
    const status = task.status === 'completed' || task.status === 'cancelled' ? task.status : 'failed';
    const started = Date.parse(task.startedAt ?? task.createdAt);
    const finished = Date.parse(task.finishedAt ?? '');
    return {
      taskId,
      workflow: task.workflow,
      status,
      success: task.success ?? false,
      stopReason: task.stopReason ?? (status === 'cancelled' ? 'cancelled' : 'failed'),
      reason: task.reason ?? '',
      iterations: task.iterations,
      steps: store.steps(taskId),
      convergence: task.convergence,
      finalOutput: task.finalOutput ?? '',
      durationMs: Number.isFinite(finished) && Number.isFinite(started) ? Math.max(0, finished - started) : 0,
      usage: task.usage,
    };
  }

  return {
    settings,
    dispatch,
    redispatch,
    follow,
    unfollow(taskId) {
      followers.delete(taskId);
    },
    async cancel(taskId, timeoutMs) {
      const record = queueStore.get(taskId);
      if (!record) throw new OrchestratorError('TASK_NOT_FOUND', `task ${taskId} was not handed to the queue here`);
      const queue = await client();
      await checkReachable(queue.redis, settings.url);
      await queue.streams.requestCancel(taskId, keepSeconds);
      const job = await queue.queue(record.bullQueue).getJob(record.jobId);
      if (!job) {
        await endFromHere(queue, taskId, 'cancelled', 'cancelled by the user (its job was no longer in the queue)');
      } else if (WAITING_STATES.has(await job.getState())) {
        const removed = await job.remove().then(
          () => true,
          // A worker took it meanwhile: it finds the cancel flag as it starts.
          () => false,
        );
        if (removed) await endFromHere(queue, taskId, 'cancelled', 'cancelled by the user before a worker took it');
      }
      const wasFollowed = followers.has(taskId);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([follow(taskId), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      if (!wasFollowed && !isFinal(store.get(taskId)?.status ?? 'failed')) followers.delete(taskId);
    },
    has: (taskId) => queueStore.get(taskId) !== undefined,
    unfinished: () => queueStore.unfinished(),
    async close() {
      closed = true;
      followers.clear();
      if (opened) {
        const queue = await opened;
        await queue.close();
      }
      await loop;
    },
  };

  function requiredAgents(workflow: string): string[] {
    const steps = findWorkflow(config, workflow)?.steps ?? [];
    return [...new Set(steps.map((step) => step.agent))].sort();
  }
}
