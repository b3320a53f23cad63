/**
 * The task service: the one place a task lives, below every surface (the CLI's run, shell and
 * test-agent, the web server, the MCP server, queue workers). A surface submits a request and
 * gets the task id at once and the outcome later; it watches, cancels and resumes by id — the
 * same way for a task running in this process or in another one, because the task's state and
 * its sequenced event log are in the shared database.
 *
 * Several tasks run in one process side by side; each carries its own id through every call
 * (no "current task" anywhere). Two tasks on one working tree never edit it at once: the second
 * waits, `queued`, until the first ends — across processes too.
 */
import os from 'node:os';
import type { OrchestratorConfig } from '../config/schema.js';
import type { OrchestratorEvent, StepRecord, StoredEvent } from '../events/events.js';
import type { Logger } from '../observability/logger.js';
import { findRepositoryRoot } from '../context/project-root.js';
import { OrchestratorError } from '../shared/errors.js';
import { createSemaphore } from '../resilience/concurrency.js';
import { killEscapedDescendants, killOrphanedAgent } from '../tasks/agent-process.js';
import { isFinal, isResumable, type TaskStatus } from '../tasks/task-state.js';
import { isProcessAlive, isQueueOwned, queueOwner, type ListOptions, type TaskRecord } from '../tasks/task-store.js';
import type { FinishedTask } from '../workflow/engine.js';
import { watchTask, type WatchOptions } from './event-watch.js';
import { followUpTask } from './follow-up.js';
import { createQueuedTasks, type QueuedTasks } from './queued-tasks.js';
import { findResumePoint } from './resume-point.js';
import { openServiceRuntime, type ServiceRuntime } from './service-runtime.js';
import { checkRequest, type TaskRequest } from './task-request.js';
import { planFromSummary, runTaskInSlot, type TaskResult } from './task-run.js';

export type { TaskRequest } from './task-request.js';
export type { TaskResult } from './task-run.js';
export type { WatchOptions } from './event-watch.js';

export interface TaskServiceOptions {
  readonly home: string;
  readonly config: OrchestratorConfig;
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Base directory for relative paths in requests (a CLI's working directory). */
  readonly baseDir: string;
  /**
   * A coordinator (`serve`, `mcp`) with settings.queue: requests go to the queue unless they say
   * otherwise, and queued tasks left unfinished by an earlier run are followed again.
   */
  readonly queueSubmissions?: boolean;
}

export interface SubmittedTask {
  readonly taskId: string;
  /** Settles when the task has ended (never rejects for agent failures: they are results). */
  readonly done: Promise<TaskResult>;
  /** A queued task: settles once its job is in the queue (rejects when it could not be queued). */
  readonly queued?: Promise<void>;
}

export interface CancelResult {
  readonly taskId: string;
  /** The state after the cancel (or the state it had already ended in). */
  readonly status: TaskStatus;
  /** False when the task had already ended. */
  readonly cancelled: boolean;
}

export interface TaskService {
  readonly config: OrchestratorConfig;
  /** Ids of tasks an earlier, dead process left unfinished (marked interrupted on opening). */
  readonly interrupted: readonly string[];
  submit(request: TaskRequest): SubmittedTask;
  /** Continues a failed, cancelled or interrupted task after its last completed step. */
  resume(idOrPrefix: string, options?: { readonly source?: string }): SubmittedTask;
  /** Cancels a task running here or in another process: its agents are stopped, it ends `cancelled`. */
  cancel(idOrPrefix: string, options?: { readonly timeoutMs?: number }): Promise<CancelResult>;
  /**
   * Ends a task of this process at once as `cancelled` (a second Ctrl+C: the process is about to
   * exit, its agents are killed by the process module's exit hook).
   */
  abandon(taskId: string): void;
  /** The task's events from `since`, then live until it ends. */
  watch(taskId: string, options?: WatchOptions): AsyncGenerator<StoredEvent>;
  events(taskId: string, options?: { readonly since?: number; readonly limit?: number }): StoredEvent[];
  get(taskId: string): TaskRecord | undefined;
  /** By full id or a unique prefix; TASK_NOT_FOUND otherwise. */
  resolve(idOrPrefix: string): TaskRecord;
  list(options?: ListOptions): TaskRecord[];
  steps(taskId: string): StepRecord[];
  /** Every event of the tasks this process runs, as published (metrics, logs). */
  subscribe(listener: (event: OrchestratorEvent) => void, options?: { readonly signal?: AbortSignal }): () => void;
  /** Ids of the tasks running in this process. */
  running(): string[];
  /** Cancels what runs here and waits for it to end. */
  close(): Promise<void>;
}

const HEARTBEAT_MS = 30_000;
const CANCEL_POLL_MS = 200;
/** How long a cancel waits for the owning process before stopping the agent itself. */
const OWNER_GRACE_MS = 3_000;

interface RunningTask {
  readonly controller: AbortController;
  readonly done: Promise<TaskResult>;
}

export function createTaskService(options: TaskServiceOptions): TaskService {
  const runtime: ServiceRuntime = openServiceRuntime(options);
  const { store, bus, log, config } = runtime;
  const queueSettings = config.settings.queue;
  const queued: QueuedTasks | undefined = queueSettings ? createQueuedTasks(runtime, queueSettings, options.baseDir) : undefined;
  if (queued && options.queueSubmissions) queued.followUnfinished();
  const running = new Map<string, RunningTask>();
  const memoryWrites = new Map<string, Promise<void>>();
  const stamp = (): string => new Date().toISOString();
  let timers: { heartbeat: NodeJS.Timeout; cancels: NodeJS.Timeout } | undefined;

  // Memory subscribes to the bus: a finished task of this process is stored with its steps.
  bus.subscribe('task.finished', (event) => {
    const followedHere = running.has(event.taskId) || Boolean(queued?.followed().includes(event.taskId));
    if (followedHere) memoryWrites.set(event.taskId, recordInMemory(event, projectPaths.get(event.taskId)));
  });

  // The task is read only once memory is known to be on: reading it stores the events waiting.
  async function recordInMemory(event: Extract<OrchestratorEvent, { type: 'task.finished' }>, projectPath: string | undefined): Promise<void> {
    const memory = (await runtime.memory(projectPath)).memory;
    const task = memory ? store.get(event.taskId) : undefined;
    if (!memory || !task || task.workflow.startsWith('agent:')) return;
    const status: FinishedTask['status'] = event.status === 'completed' || event.status === 'cancelled' ? event.status : 'failed';
    const steps = store.steps(task.id);
    try {
      await memory.recordTask({
        taskId: task.id,
        task: task.task,
        workflow: task.workflow,
        ...(task.projectId ? { projectId: task.projectId } : {}),
        status,
        success: event.success,
        finalOutput: event.finalOutput,
        agents: [...new Set(steps.map((s) => s.agent))],
        filesModified: [...new Set(steps.flatMap((s) => s.filesModified))].sort(),
        iterations: event.iterations,
        stopReason: event.stopReason,
        steps,
      });
    } catch (error) {
      runtime.logger.warn(`could not record the task in memory: ${String(error)}`);
    }
  }
  const projectPaths = new Map<string, string | undefined>();

  /** Waits `ms`, or less when a task of this process ends (a queued task may go) or the signal aborts. */
  const ended = new Set<() => void>();
  // At most settings.max_parallel_tasks tasks of this process run at once (a server, a shell).
  const slots = {
    semaphore: createSemaphore(config.settings.max_parallel_tasks),
    oldestRunning: (): string | undefined => running.keys().next().value,
  };
  const wake = {
    wait(signal: AbortSignal, ms: number): Promise<void> {
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          ended.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        ended.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
  };

  function startTimers(): void {
    if (timers) return;
    timers = {
      heartbeat: setInterval(() => {
        for (const id of running.keys()) store.heartbeat(id);
      }, HEARTBEAT_MS),
      // Cancels asked for by other processes (`tasks cancel`, another server) reach us here.
      cancels: setInterval(() => {
        for (const id of store.cancelRequested([...running.keys()])) running.get(id)?.controller.abort();
        // A queued task this process follows: the cancel goes on to its worker.
        for (const id of store.cancelRequested(queued?.followed() ?? [])) void queued?.cancel(id, 10_000).catch((error: unknown) => runtime.logger.warn(`could not cancel task ${id.slice(0, 8)}: ${String(error)}`));
      }, CANCEL_POLL_MS),
    };
    timers.heartbeat.unref();
    timers.cancels.unref();
  }

  function stopTimersIfIdle(): void {
    if (running.size > 0 || (queued?.followed().length ?? 0) > 0 || !timers) return;
    clearInterval(timers.heartbeat);
    clearInterval(timers.cancels);
    timers = undefined;
  }

  function launch(taskId: string, run: (signal: AbortSignal) => Promise<TaskResult>): SubmittedTask {
    const controller = new AbortController();
    const done = (async () => {
      try {
        const result = await run(controller.signal);
        await memoryWrites.get(taskId);
        return result;
      } finally {
        // Whoever awaited the task reads it, or exits, next: everything it published is stored.
        runtime.settle();
        memoryWrites.delete(taskId);
        projectPaths.delete(taskId);
        running.delete(taskId);
        stopTimersIfIdle();
        for (const wakeQueued of [...ended]) wakeQueued();
      }
    })();
    running.set(taskId, { controller, done });
    startTimers();
    return { taskId, done };
  }

  async function projectIdOf(projectPath: string | undefined): Promise<string | undefined> {
    if (!projectPath) return undefined;
    const { projectIdForPath } = await import('../context/project-scanner.js');
    return projectIdForPath(projectPath);
  }

  function submit(request: TaskRequest): SubmittedTask {
    // A key pasted into the task is redacted before the task is stored, shown, sent, reported or
    // remembered: agents get their credentials through `env`, never through prompts.
    const asked = checkRequest(request, config, options.baseDir, { queueByDefault: Boolean(options.queueSubmissions) });
    const checked = { ...asked, task: runtime.redact(asked.task) };
    const previous = checked.followUpOf ? store.resolve(checked.followUpOf) : undefined;
    const promptTask = previous ? followUpTask({ task: previous.task, result: previous.finalOutput ?? '' }, checked.task) : checked.task;
    const projectPath = checked.agent ? undefined : (checked.projectPath ?? findRepository(checked.cwd));
    const record = store.create({
      task: checked.task,
      workflow: checked.workflow,
      maxIterations: checked.maxIterations ?? config.settings.max_iterations,
      cwd: checked.cwd,
      source: checked.source,
      ...(previous ? { followUpOf: previous.id } : {}),
      promptTask,
      ...(checked.budgetUsd !== undefined ? { budgetUsd: checked.budgetUsd } : {}),
      ...(checked.queue && queueSettings ? { ownerHost: queueOwner(queueSettings.name) } : {}),
    });
    const taskId = record.id;
    projectPaths.set(taskId, projectPath);
    bus.publish({
      type: 'task.created',
      taskId,
      timestamp: stamp(),
      task: checked.task,
      workflow: checked.workflow,
      cwd: checked.cwd,
      source: checked.source,
      ...(previous ? { followUpOf: previous.id } : {}),
    });
    if (checked.queue && queued) {
      const submitted = queued.submit(taskId, async () => {
        const projectId = await projectIdOf(projectPath);
        if (projectId) store.setProject(taskId, projectId);
        return {
          taskId,
          task: checked.task,
          promptTask,
          workflow: checked.workflow,
          cwd: checked.cwd,
          ...(checked.maxIterations !== undefined ? { maxIterations: checked.maxIterations } : {}),
          offline: checked.offline,
          ...(checked.budgetUsd !== undefined ? { budgetUsd: checked.budgetUsd } : {}),
          ...(checked.repo !== undefined ? { repo: checked.repo } : {}),
          ...(checked.base !== undefined ? { base: checked.base } : {}),
          ...(projectPath ? { projectPath } : {}),
          ...(projectId ? { projectId } : {}),
        };
      });
      startTimers();
      void submitted.done.finally(() => {
        projectPaths.delete(taskId);
        stopTimersIfIdle();
      });
      return submitted;
    }
    return launch(taskId, async (signal) => {
      const projectId = await projectIdOf(projectPath);
      if (projectId) store.setProject(taskId, projectId);
      return runTaskInSlot(
        runtime,
        {
          taskId,
          promptTask,
          workflow: checked.workflow,
          cwd: checked.cwd,
          ...(checked.maxIterations !== undefined ? { maxIterations: checked.maxIterations } : {}),
          ...(projectPath ? { projectPath } : {}),
          ...(projectId ? { projectId } : {}),
          offline: checked.offline,
          ...(checked.budgetUsd !== undefined ? { budgetUsd: checked.budgetUsd } : {}),
          isolation: checked.isolation,
          ...(checked.base !== undefined ? { base: checked.base } : {}),
          ...(checked.agent ? { agent: checked.agent } : {}),
          signal,
        },
        wake,
        slots,
      );
    });
  }

  function resume(idOrPrefix: string, resumeOptions: { readonly source?: string } = {}): SubmittedTask {
    const task = store.resolve(idOrPrefix);
    if (!isResumable(task.status)) {
      const why = task.status === 'completed' ? 'it completed' : `it is ${task.status.replace('_', ' ')}`;
      throw new OrchestratorError('INVALID_INPUT', `task ${task.id.slice(0, 8)} cannot be resumed: ${why} (only failed, cancelled or interrupted tasks can)`);
    }
    const planned = [...log.read(task.id)].reverse().find((stored) => stored.event.type === 'task.planned')?.event;
    if (planned?.type !== 'task.planned') {
      throw new OrchestratorError('INVALID_INPUT', `task ${task.id.slice(0, 8)} cannot be resumed: it never got a plan (start it again instead)`);
    }
    // A task that ran in the fleet resumes there: its tree is only in the fleet's checkpoints.
    const toQueue = isQueueOwned(task);
    if (toQueue && !queued) {
      throw new OrchestratorError('INVALID_INPUT', `task ${task.id.slice(0, 8)} ran on queue workers: resume it where the queue is configured (settings.queue.url)`);
    }
    const plan = planFromSummary(planned.plan);
    const point = findResumePoint(plan.steps.length, store.steps(task.id), task.convergence, task.usage);
    const inputs = store.resumeInputs(task.id);
    // The budget it was started with (a --budget-usd), else today's configuration's.
    const budgetUsd = inputs?.budgetUsd ?? config.settings.budget_usd;
    const previousStatus = task.status;
    store.reopen(task.id, toQueue ? task.ownerHost : undefined);
    store.dropStepsFrom(task.id, point.iteration, point.index);
    bus.publish({
      type: 'task.resumed',
      taskId: task.id,
      timestamp: stamp(),
      previousStatus,
      iteration: point.iteration,
      index: point.index,
      keptSteps: point.steps.length,
      maxIterations: planned.plan.maxIterations,
    });
    const projectPath = config.settings.project_path || findRepository(task.cwd);
    projectPaths.set(task.id, projectPath);
    void resumeOptions;
    if (toQueue && queued) {
      const resumed = queued.resume(task.id);
      startTimers();
      void resumed.done.finally(() => {
        projectPaths.delete(task.id);
        stopTimersIfIdle();
      });
      return resumed;
    }
    return launch(task.id, (signal) =>
      runTaskInSlot(
        runtime,
        {
          taskId: task.id,
          promptTask: inputs?.promptTask ?? task.task,
          workflow: plan.workflow,
          cwd: task.cwd,
          ...(projectPath ? { projectPath } : {}),
          ...(task.projectId ? { projectId: task.projectId } : {}),
          offline: plan.offline,
          ...(budgetUsd !== undefined ? { budgetUsd } : {}),
          // A task that ran in a worktree resumes there: its cwd is the worktree already.
          isolation: 'none',
          signal,
          resume: { plan, maxIterations: planned.plan.maxIterations, point, memoryBlock: inputs?.memoryBlock ?? '' },
        },
        wake,
        slots,
      ),
    );
  }

  async function cancel(idOrPrefix: string, cancelOptions: { readonly timeoutMs?: number } = {}): Promise<CancelResult> {
    const task = store.resolve(idOrPrefix);
    const local = running.get(task.id);
    if (local) {
      local.controller.abort();
      const result = await local.done;
      return { taskId: task.id, status: result.status, cancelled: result.status === 'cancelled' };
    }
    if (isFinal(task.status)) return { taskId: task.id, status: task.status, cancelled: false };
    if (isQueueOwned(task) && queued) {
      store.requestCancel(task.id);
      await queued.cancel(task.id, cancelOptions.timeoutMs ?? 10_000);
      const now = store.get(task.id);
      return { taskId: task.id, status: now?.status ?? task.status, cancelled: now?.status === 'cancelled' };
    }
    store.requestCancel(task.id);
    const deadline = Date.now() + (cancelOptions.timeoutMs ?? 10_000);
    const asked = Date.now();
    let agentStopped = false;
    for (;;) {
      const now = store.get(task.id);
      if (!now || isFinal(now.status)) return { taskId: task.id, status: now?.status ?? 'cancelled', cancelled: now?.status === 'cancelled' };
      const ownerGone = now.ownerHost === os.hostname() && !isProcessAlive(now.ownerPid);
      // The owner did not react in time (hung) or is gone: stop its agent from here.
      if (!agentStopped && (ownerGone || Date.now() - asked > OWNER_GRACE_MS)) {
        agentStopped = true;
        const agent = store.agentProcess(task.id);
        if (agent) killOrphanedAgent(agent.pid, agent.startTime);
        // What a dead owner's agent started outside its group (a live owner sweeps that itself).
        if (ownerGone) killEscapedDescendants(now.ownerPid);
      }
      if (ownerGone) {
        bus.publish({
          type: 'task.finished',
          taskId: task.id,
          timestamp: stamp(),
          status: 'cancelled',
          success: false,
          stopReason: 'cancelled',
          reason: 'cancelled by the user (the process running it had ended)',
          iterations: now.iterations,
          finalOutput: '',
          durationMs: 0,
          usage: now.usage,
        });
        continue;
      }
      if (Date.now() > deadline) return { taskId: task.id, status: now.status, cancelled: false };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function abandon(taskId: string): void {
    running.get(taskId)?.controller.abort();
    const task = store.get(taskId);
    if (!task || isFinal(task.status)) return;
    // Its agents run on a worker, not here: the cancel already asked for reaches them there.
    if (isQueueOwned(task)) {
      store.requestCancel(taskId);
      return;
    }
    bus.publish({
      type: 'task.finished',
      taskId,
      timestamp: stamp(),
      status: 'cancelled',
      success: false,
      stopReason: 'cancelled',
      reason: 'cancelled by the user (forced exit)',
      iterations: task.iterations,
      finalOutput: '',
      durationMs: 0,
      usage: task.usage,
    });
  }

  /** A queued task's events reach this database while it is watched here (no coordinator may be running). */
  async function* watchFollowing(taskId: string, watchOptions: WatchOptions): AsyncGenerator<StoredEvent> {
    const task = store.get(taskId);
    const stop = queued && task && isQueueOwned(task) && !isFinal(task.status) ? queued.followWhileWatched(taskId) : undefined;
    try {
      yield* watchTask(
        { log, store, databaseFile: runtime.databaseFile, subscribe: (id, onStored) => runtime.onStored(id, onStored, { earliest: true }), runsHere: (id) => running.has(id) },
        taskId,
        watchOptions,
      );
    } finally {
      stop?.();
    }
  }

  return {
    config,
    interrupted: runtime.interrupted,
    submit,
    resume,
    cancel,
    abandon,
    watch: (taskId, watchOptions = {}) => watchFollowing(taskId, watchOptions),
    events: (taskId, readOptions = {}) => log.read(taskId, readOptions),
    get: (taskId) => store.get(taskId),
    resolve: (idOrPrefix) => store.resolve(idOrPrefix),
    list: (listOptions) => store.list(listOptions),
    steps: (taskId) => store.steps(taskId),
    subscribe: (listener, subscribeOptions = {}) => bus.subscribeAll(listener, subscribeOptions),
    running: () => [...running.keys()],
    async close() {
      for (const task of running.values()) task.controller.abort();
      await Promise.allSettled([...running.values()].map((task) => task.done));
      // Queued tasks go on in the fleet; whoever follows them next stores the rest of their events.
      await queued?.close();
      runtime.settle();
    },
  };
}

function findRepository(cwd: string): string | undefined {
  return findRepositoryRoot(cwd);
}
