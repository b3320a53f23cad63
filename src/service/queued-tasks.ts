/**
 * The task service's queued tasks: a submitted or resumed task handed to the fleet instead of run
 * here, followed (its events stored) until it ends; cancels and watches of queued tasks from this
 * process. The queue code loads on first use, so a process without `settings.queue` never loads
 * it (nor bullmq and ioredis).
 */
import type { QueueSettings } from '../config/schema.js';
import { OrchestratorError, errorMessage } from '../shared/errors.js';
import { isFinal } from '../tasks/task-state.js';
import type { QueueCoordinator, QueueDispatch } from './queue-coordinator.js';
import type { ServiceRuntime } from './service-runtime.js';
import type { TaskResult } from './task-run.js';

export interface QueuedSubmission {
  readonly taskId: string;
  readonly done: Promise<TaskResult>;
  /** Settles once the job is in the queue; rejects when it could not be queued. */
  readonly queued: Promise<void>;
}

export interface QueuedTasks {
  readonly settings: QueueSettings;
  /** Hands a stored task to the fleet (as `prepare` describes it) and follows it. */
  submit(taskId: string, prepare: () => Promise<QueueDispatch>): QueuedSubmission;
  /** Hands a resumed task (task.resumed logged) to the fleet again and follows it. */
  resume(taskId: string): QueuedSubmission;
  /** Cancels a queued task in the fleet; settles when it ended or `timeoutMs` passed. */
  cancel(taskId: string, timeoutMs: number): Promise<void>;
  /** Stores a queued task's events while something here watches it; call the result to stop. */
  followWhileWatched(taskId: string): () => void;
  /** Follows every unfinished queued task of this database (a coordinator starting). */
  followUnfinished(): void;
  /** Queued tasks this process submitted or resumed and still follows. */
  followed(): string[];
  /** Stops following (the tasks go on in the fleet). */
  close(): Promise<void>;
}

export function createQueuedTasks(runtime: ServiceRuntime, settings: QueueSettings, baseDir: string): QueuedTasks {
  const { store, bus, logger } = runtime;
  let coordinator: Promise<QueueCoordinator> | undefined;
  const followed = new Map<string, Promise<TaskResult>>();
  const cancelling = new Set<string>();
  // Connections are held only while something here needs them: a command's process ends on its
  // own once its queued work is done, and a coordinator reconnects when the next task comes.
  let busy = 0;
  const open = (): Promise<QueueCoordinator> => {
    coordinator ??= import('./queue-coordinator.js').then(({ createQueueCoordinator }) => createQueueCoordinator(runtime, settings, baseDir));
    return coordinator;
  };
  async function using<T>(work: (queue: QueueCoordinator) => Promise<T>): Promise<T> {
    busy++;
    try {
      return await work(await open());
    } finally {
      busy--;
      if (busy === 0) closeIdle();
    }
  }
  function closeIdle(): void {
    const idle = coordinator;
    coordinator = undefined;
    if (idle) void idle.then((queue) => queue.close()).catch((error: unknown) => logger.warn(`could not close the queue connection: ${errorMessage(error)}`));
  }

  /** A task that never reached the queue ends here, saying why. */
  function endHere(taskId: string, error: unknown): TaskResult {
    const task = store.get(taskId);
    const reason = `could not queue the task: ${errorMessage(error)}`;
    if (task && !isFinal(task.status)) {
      bus.publish({
        type: 'task.finished',
        taskId,
        timestamp: new Date().toISOString(),
        status: 'failed',
        success: false,
        stopReason: 'failed',
        reason,
        iterations: task.iterations,
        finalOutput: '',
        durationMs: 0,
        usage: task.usage,
      });
    }
    const after = store.get(taskId);
    return {
      taskId,
      workflow: after?.workflow ?? '',
      status: 'failed',
      success: false,
      stopReason: 'failed',
      reason,
      iterations: after?.iterations ?? 0,
      steps: store.steps(taskId),
      convergence: after?.convergence ?? [],
      finalOutput: '',
      durationMs: 0,
      usage: after?.usage ?? { inputTokens: 0, outputTokens: 0 },
      ...(OrchestratorError.isInstance(error) ? { refusal: { code: error.code, message: error.message } } : {}),
    };
  }

  function track(taskId: string, dispatch: (queue: QueueCoordinator) => Promise<void>): QueuedSubmission {
    let queued: (error?: unknown) => void = () => undefined;
    const inQueue = new Promise<void>((resolve, reject) => {
      queued = (error) => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error(errorMessage(error))));
    });
    // The caller may never look at `queued` (it follows `done`): a failure is not unhandled there.
    inQueue.catch(() => undefined);
    const done = using(async (queue) => {
      try {
        await dispatch(queue);
      } catch (error) {
        queued(error);
        return endHere(taskId, error);
      }
      queued();
      return queue.follow(taskId);
    }).finally(() => followed.delete(taskId));
    followed.set(taskId, done);
    return { taskId, done, queued: inQueue };
  }

  return {
    settings,
    submit(taskId, prepare) {
      return track(taskId, async (queue) => queue.dispatch(await prepare()));
    },
    resume(taskId) {
      return track(taskId, (queue) => queue.redispatch(taskId));
    },
    async cancel(taskId, timeoutMs) {
      if (cancelling.has(taskId)) return;
      cancelling.add(taskId);
      try {
        await using((queue) => queue.cancel(taskId, timeoutMs));
      } finally {
        cancelling.delete(taskId);
      }
    },
    followWhileWatched(taskId) {
      if (followed.has(taskId)) return () => undefined;
      let stop: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      void using(async (queue) => {
        await Promise.race([queue.follow(taskId), stopped]);
        if (!followed.has(taskId)) queue.unfollow(taskId);
      }).catch((error: unknown) => logger.warn(`could not follow queued task ${taskId.slice(0, 8)}: ${errorMessage(error)}`));
      return stop;
    },
    followUnfinished() {
      void open()
        .then((queue) => {
          for (const taskId of queue.unfinished()) {
            if (followed.has(taskId)) continue;
            followed.set(taskId, using((q) => q.follow(taskId)).finally(() => followed.delete(taskId)));
          }
        })
        .catch((error: unknown) => logger.warn(`could not follow the queued tasks: ${errorMessage(error)}`));
    },
    followed: () => [...followed.keys()],
    async close() {
      followed.clear();
      const open = coordinator;
      coordinator = undefined;
      if (open) await (await open).close();
    },
  };
}
