/**
 * One queued task on a worker, from its job to its end: take ownership of the task's stream,
 * rebuild where the task stands from its events (a first run, a resumed task, or a takeover of a
 * worker that died), fetch the repository into the worker's clone cache, run the task in its own
 * worktree at the base commit with the service's ordinary task run (engine, checkpoint before
 * every step), and stream every event back to the coordinator. A takeover continues after the
 * last completed step, in a worktree restored from the checkpoint shipped before it; the end
 * pushes branch `aio/<task-id>` to the repository, or keeps a git bundle in Redis for the
 * coordinator when the push is refused.
 *
 * The worker keeps its own copy of the task in its database (same id, owned by this process), so
 * its agents' pids are recorded where they mean something and a crashed worker's next start
 * cleans up its orphans like any crashed run.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { OrchestratorEvent, StepRecord } from '../events/events.js';
import { createEventForwarder, type EventForwarder } from '../queue/event-forwarder.js';
import type { JobPayload } from '../queue/job-payload.js';
import type { QueueClient } from '../queue/queue-client.js';
import { taskHistory, type TaskHistory } from '../queue/task-history.js';
import type { ShippedCheckpoint } from '../queue/task-stream.js';
import { errorMessage } from '../shared/errors.js';
import { isFinal } from '../tasks/task-state.js';
import type { ResumePoint } from '../workflow/engine.js';
import { createBundle, fetchBundle } from '../workspace/bundles.js';
import type { CloneCache, PreparedClone } from '../workspace/clone-cache.js';
import { QUIET_GIT, git } from '../workspace/git.js';
import { restoreTree } from '../workspace/restore-tree.js';
import type { TaskWorkspaces } from '../workspace/task-workspace.js';
import { worktreeBranch } from '../workspace/worktree.js';
import { findResumePoint } from './resume-point.js';
import type { ServiceRuntime } from './service-runtime.js';
import { planFromSummary, runTask, type TaskRunInput } from './task-run.js';

export interface QueueJobContext {
  /** The worker's own runtime (its home, database, resilience). */
  readonly runtime: ServiceRuntime;
  readonly queue: QueueClient;
  readonly clones: CloneCache;
  /** This worker's name and machine, as the task's log shows them. */
  readonly worker: string;
  readonly host: string;
}

/**
 * How a job ended here: the task ended (reported), was cancelled (reported), was handed back
 * (nothing reported: another worker takes it over), lost (another worker owns it now), or was
 * stale (the task had ended already).
 */
export type JobOutcome = 'ended' | 'cancelled' | 'handed-back' | 'lost' | 'stale';

export interface QueueJobRun {
  readonly taskId: string;
  /** The user cancelled the task: it ends `cancelled`, and says so. */
  cancel(): void;
  /** Stop without ending the task: its agents are killed, nothing more is reported. */
  handBack(): void;
  readonly outcome: Promise<JobOutcome>;
}

/** Where a takeover or resume continues, and the checkpoint its tree comes from. */
interface StartPoint {
  readonly point: ResumePoint;
  readonly restore?: ShippedCheckpoint;
}

export function startQueueJob(context: QueueJobContext, payload: JobPayload, token: string): QueueJobRun {
  const { runtime, queue } = context;
  const { taskId } = payload;
  const { store, logger, bus } = runtime;
  const controller = new AbortController();
  let mode: 'run' | 'handing-back' | 'lost' = 'run';
  /** The mode now (changed by callbacks while the run awaits). */
  const modeNow = (): typeof mode => mode;
  let forwarder: EventForwarder | undefined;
  const stamp = (): string => new Date().toISOString();
  const short = taskId.slice(0, 8);

  async function run(): Promise<JobOutcome> {
    await queue.streams.claim(taskId, token);
    const history = taskHistory(await queue.streams.read(taskId));
    if (history.finished) return 'stale';
    let clone: PreparedClone | undefined;
    const shipRef = `refs/ai-orchestrator/ship/${taskId}`;
    const fw = createEventForwarder({
      streams: queue.streams,
      taskId,
      token,
      firstSeq: history.lastSeq + 1,
      ship: async (checkpoint) => {
        if (!clone) return;
        const { root, baseCommit } = clone;
        const bundle = await context.clones.exclusive(root, () => createBundle(root, checkpoint.commit, baseCommit, shipRef));
        await queue.streams.putCheckpoint(taskId, { commit: checkpoint.commit, iteration: checkpoint.iteration, index: checkpoint.index, bundle });
      },
      onLost: (reason) => {
        mode = 'lost';
        logger.warn(`task ${short}: another worker owns it now (${reason}); stopping here`);
        controller.abort();
      },
      onProblem: (message) => logger.warn(message),
    });
    forwarder = fw;
    // Events are stored (and so handed to the forwarder) at the end of their turn: settle them first.
    const forwardAll = async (): Promise<void> => {
      runtime.settle();
      await fw.flush();
    };
    if (modeNow() === 'handing-back') {
      fw.detach();
      return 'handed-back';
    }

    if (await queue.streams.cancelRequested(taskId)) {
      fw.send(endEvent(history, 'cancelled', 'cancelled by the user before it started'));
      await forwardAll();
      return 'cancelled';
    }
    const start = history.plan ? await startPoint(history) : undefined;
    fw.send(assignment(history, start));

    const hadItBefore = store.get(taskId) !== undefined;
    prepareCopy(history, start);
    const stopForwarding = runtime.onStored(taskId, (stored) => fw.send(stored.event));
    try {
      try {
        clone = await context.clones.prepare(payload.repo, payload.base);
      } catch (error) {
        bus.publish(endEvent(history, 'failed', `the worker ${context.worker} could not fetch ${payload.repo}: ${errorMessage(error)}`));
        await forwardAll();
        return 'ended';
      }
      const cwd = path.join(clone.root, payload.subdir);
      mkdirSync(cwd, { recursive: true });
      const plan = history.plan;
      const input: TaskRunInput = {
        taskId,
        promptTask: payload.promptTask,
        workflow: plan?.workflow ?? payload.workflow,
        cwd,
        ...(payload.maxIterations !== undefined ? { maxIterations: payload.maxIterations } : {}),
        offline: plan?.offline ?? payload.offline,
        ...(payload.budgetUsd !== undefined ? { budgetUsd: payload.budgetUsd } : {}),
        isolation: 'worktree',
        base: clone.baseCommit,
        memoryBlock: payload.memoryBlock,
        signal: controller.signal,
        ...(plan && start ? { resume: { plan: planFromSummary(plan), maxIterations: plan.maxIterations, point: start.point, memoryBlock: payload.memoryBlock } } : {}),
      };
      let result;
      try {
        result = await runTask({ ...runtime, workspaces: jobWorkspaces(clone, start?.restore, shipRef, hadItBefore) }, input, { wait: waitFor });
      } catch (error) {
        // A defect below must still end the task for everyone watching it.
        logger.error(`task ${short} failed on this worker: ${errorMessage(error)}`);
        if (!isFinal(store.get(taskId)?.status ?? 'failed')) bus.publish(endEvent(history, 'failed', `the worker ${context.worker} failed: ${errorMessage(error)}`));
        await forwardAll();
        return modeNow() === 'run' ? 'ended' : modeNow() === 'lost' ? 'lost' : 'handed-back';
      }
      await forwardAll();
      if (modeNow() === 'lost') return 'lost';
      if (modeNow() === 'handing-back') return 'handed-back';
      return result.status === 'cancelled' ? 'cancelled' : 'ended';
    } finally {
      stopForwarding();
    }
  }

  /** Where the task continues: after its last completed step, if the tree before that step was shipped. */
  async function startPoint(history: TaskHistory): Promise<StartPoint> {
    const plan = history.plan;
    const stepCount = plan?.steps.length ?? 1;
    const point = findResumePoint(stepCount, history.steps, history.convergence, history.usage);
    if (point.iteration === 1 && point.index === 0) return { point };
    const shipped = await queue.streams.checkpoint(taskId);
    if (shipped && shipped.iteration === point.iteration && shipped.index === point.index) return { point, restore: shipped };
    const before = shipped && (shipped.iteration < point.iteration || (shipped.iteration === point.iteration && shipped.index < point.index));
    // The tree after the last completed step did not reach Redis: continue from the newest one
    // that did (steps after it run again, on the tree they started from), or from the base.
    const at = before ? shipped : undefined;
    const iteration = at?.iteration ?? 1;
    const index = at?.index ?? 0;
    const kept = point.steps.filter((s) => s.iteration < iteration || (s.iteration === iteration && s.index < index));
    return {
      point: { iteration, index, steps: kept, convergence: point.convergence.filter((c) => c.iteration < iteration), usage: point.usage },
      ...(at ? { restore: at } : {}),
    };
  }

  function assignment(history: TaskHistory, start: StartPoint | undefined): OrchestratorEvent {
    const attempt = history.attempts + 1;
    const where = start ? start.point : { iteration: 1, index: 0, steps: [] as readonly StepRecord[] };
    if (history.attempts > 0) {
      return {
        type: 'task.takeover',
        taskId,
        timestamp: stamp(),
        worker: context.worker,
        host: context.host,
        attempt,
        ...(history.lastWorker ? { previousWorker: history.lastWorker } : {}),
        iteration: where.iteration,
        index: where.index,
        keptSteps: where.steps.length,
        ...(start?.restore ? { checkpoint: start.restore.commit } : {}),
      };
    }
    return {
      type: 'task.assigned',
      taskId,
      timestamp: stamp(),
      worker: context.worker,
      host: context.host,
      attempt,
      ...(start ? { iteration: start.point.iteration, index: start.point.index } : {}),
    };
  }

  /** This worker's copy of the task: queued, with the steps the run keeps. */
  function prepareCopy(history: TaskHistory, start: StartPoint | undefined): void {
    const existing = store.get(taskId);
    if (existing && !isFinal(existing.status)) throw new Error(`task ${short} is already running on this worker`);
    if (existing) {
      store.reopen(taskId);
      store.dropStepsFrom(taskId, 1, 0);
    } else {
      store.create({
        id: taskId,
        task: payload.task,
        workflow: history.plan?.workflow ?? payload.workflow,
        maxIterations: history.plan?.maxIterations ?? payload.maxIterations ?? runtime.config.settings.max_iterations,
        cwd: runtime.home,
        source: 'queue',
        promptTask: payload.promptTask,
        ...(payload.budgetUsd !== undefined ? { budgetUsd: payload.budgetUsd } : {}),
      });
    }
    for (const step of start?.point.steps ?? []) store.recordStep(taskId, step);
    for (const iteration of start?.point.convergence ?? []) store.recordIteration(taskId, iteration);
  }

  function endEvent(history: TaskHistory, status: 'failed' | 'cancelled', reason: string): OrchestratorEvent {
    return {
      type: 'task.finished',
      taskId,
      timestamp: stamp(),
      status,
      success: false,
      stopReason: status,
      reason,
      iterations: history.convergence.length,
      finalOutput: '',
      durationMs: 0,
      usage: history.usage,
    };
  }

  /** The runtime's workspaces, around this job: a fresh worktree of the clone, restored, delivered at the end. */
  function jobWorkspaces(clone: PreparedClone, restore: ShippedCheckpoint | undefined, shipRef: string, hadItBefore: boolean): TaskWorkspaces {
    const inner = runtime.workspaces;
    return {
      store: inner.store,
      async open(request) {
        await removeEarlierWorktree(clone.root, hadItBefore);
        // The clone checks nothing out, and its base was resolved as it was prepared.
        const workspace = await inner.open({ ...request, base: clone.baseCommit, baseIsCommit: true, originUnused: true });
        const worktree = workspace.worktree;
        if (restore && worktree) {
          await context.clones.exclusive(clone.root, () => fetchBundle(clone.root, restore.bundle, shipRef, `refs/ai-orchestrator/${taskId}/taken-over`));
          const files = await restoreTree(worktree.path, clone.baseCommit, restore.commit);
          request.notice(`the working tree was restored from checkpoint ${restore.commit.slice(0, 10)} (${files.length} file${files.length === 1 ? '' : 's'} changed since the base)`);
        }
        return {
          ...workspace,
          async finish(end) {
            await workspace.finish(end);
            // A run handed back or taken over delivers nothing: the worker that continues does.
            if (modeNow() === 'run') await deliver(clone, request.notice);
          },
        };
      },
    };
  }

  /** Clears what an earlier run of the task on this worker left: its worktree and branch. */
  async function removeEarlierWorktree(root: string, hadItBefore: boolean): Promise<void> {
    const workspaces = runtime.workspaces.store;
    const earlier = workspaces.worktree(taskId);
    const dir = earlier?.path ?? path.join(path.resolve(runtime.home, runtime.config.settings.worktree.dir), taskId);
    // A task new to this worker has none (its copy here is made before any git work): no git call.
    if (!hadItBefore && !earlier && !existsSync(dir)) return;
    await git(root, [...QUIET_GIT, 'worktree', 'remove', '--force', dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await git(root, [...QUIET_GIT, 'worktree', 'prune']).catch(() => undefined);
    await git(root, [...QUIET_GIT, 'branch', '-D', worktreeBranch(taskId)]).catch(() => undefined);
    if (earlier) workspaces.dropWorktree(taskId);
  }

  async function deliver(clone: PreparedClone, notice: (message: string) => void): Promise<void> {
    const branch = worktreeBranch(taskId);
    const record = runtime.workspaces.store.worktree(taskId);
    const base = { taskId, repo: payload.repo, branch, baseCommit: clone.baseCommit };
    const commit = record?.finalCommit;
    if (!commit) {
      bus.publish({ type: 'workspace.result', timestamp: stamp(), delivery: 'none', ...base });
      return;
    }
    try {
      await context.clones.push(clone.root, payload.repo, branch);
      bus.publish({ type: 'workspace.result', timestamp: stamp(), delivery: 'pushed', commit, ...base });
    } catch (pushError) {
      try {
        const bundle = await context.clones.exclusive(clone.root, () => createBundle(clone.root, commit, clone.baseCommit, `refs/heads/${branch}`));
        await queue.streams.putResult(taskId, bundle);
        bus.publish({ type: 'workspace.result', timestamp: stamp(), delivery: 'bundle', commit, reason: `not pushed: ${errorMessage(pushError)}`, ...base });
      } catch (error) {
        notice(`the task's changes could not be delivered (push: ${errorMessage(pushError)}; bundle: ${errorMessage(error)}); they stay on ${context.worker} on branch ${branch} of ${clone.root}`);
      }
    }
  }

  return {
    taskId,
    cancel: () => controller.abort(),
    handBack() {
      if (mode === 'run') mode = 'handing-back';
      forwarder?.detach();
      controller.abort();
    },
    outcome: run(),
  };
}

function waitFor(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
