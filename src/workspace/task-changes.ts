/**
 * A task's changes, seen through its checkpoints: what it (or one step) changed, and putting the
 * files it changed back the way they were — refusing when the user changed them again since,
 * and keeping a checkpoint of the moment before, so `--undo` can bring that back.
 *
 * A task that never reached its end checkpoint (the orchestrator was killed) ends, for these
 * questions, at the working tree as it is now: that is all that is known of its last step.
 */
import { existsSync } from 'node:fs';
import { OrchestratorError } from '../shared/errors.js';
import { takeCheckpoint } from './checkpoint.js';
import { changedPaths, diffFiles, diffPatch, type FileChange } from './diff.js';
import { QUIET_GIT, findRepository, git } from './git.js';
import { restoreFiles } from './restore.js';
import { rollbackRef, type CheckpointRecord, type RollbackRecord, type WorkspaceStore } from './workspace-store.js';

export interface TaskRef {
  readonly id: string;
  /** The task has not ended yet (a live process is running it). */
  readonly running: boolean;
}

export interface StepCheckpoint extends CheckpointRecord {
  /** 1-based position among the task's steps, in the order they ran. */
  readonly number: number;
}

export interface TaskDiff {
  readonly repo: string;
  readonly from: string;
  readonly to: string;
  /** What `to` is: the task's end, the next step's start, or the working tree now. */
  readonly toLabel: 'end' | 'next-step' | 'working-tree';
  readonly step?: StepCheckpoint;
  readonly files: readonly FileChange[];
  readonly patch?: string;
}

export interface RollbackResult {
  readonly repo: string;
  readonly files: readonly string[];
  /** Files changed again after the task that were overwritten anyway (--force). */
  readonly overwritten: readonly string[];
  /** The ref keeping the state from before the rollback. */
  readonly savedAs: string;
  readonly target: string;
}

/** The task's step checkpoints numbered 1… in the order they ran. */
export function stepCheckpoints(checkpoints: readonly CheckpointRecord[]): StepCheckpoint[] {
  // A resumed task runs a step it had begun before once more: the later checkpoint is that step's.
  const latest = new Map<string, CheckpointRecord>();
  for (const c of checkpoints) if (c.kind === 'step') latest.set(`${c.iteration ?? 0}.${c.stepIndex ?? 0}`, c);
  return [...latest.values()].sort((a, b) => a.seq - b.seq).map((c, i) => ({ ...c, number: i + 1 }));
}

/** The checkpoint of the task's end — none while it runs again after a resume, or after a kill. */
function endCheckpoint(checkpoints: readonly CheckpointRecord[]): CheckpointRecord | undefined {
  const last = checkpoints.at(-1);
  return last?.kind === 'end' ? last : undefined;
}

/**
 * Finds a step by its number ("3": the third step that ran) or by iteration and position
 * ("2.1": iteration 2, step 1 — the numbering `tasks show` prints).
 */
export function findStep(steps: readonly StepCheckpoint[], spec: string): StepCheckpoint {
  const dotted = /^(\d+)\.(\d+)$/.exec(spec.trim());
  const found = dotted
    ? steps.find((s) => s.iteration === Number(dotted[1]) && (s.stepIndex ?? -1) + 1 === Number(dotted[2]))
    : /^\d+$/.test(spec.trim())
      ? steps.find((s) => s.number === Number(spec))
      : undefined;
  if (!found) {
    const known = steps.map((s) => `${s.number} (${s.iteration ?? '?'}.${(s.stepIndex ?? 0) + 1})`).join(', ');
    throw new OrchestratorError('INVALID_INPUT', `no step "${spec}" with a checkpoint; steps: ${known || 'none'}`);
  }
  return found;
}

function checkpointsOf(store: WorkspaceStore, task: TaskRef): { repo: string; all: CheckpointRecord[] } {
  const all = store.checkpoints(task.id);
  const first = all[0];
  if (!first) {
    throw new OrchestratorError(
      'INVALID_INPUT',
      `task ${task.id} has no checkpoints: it did not run in a git repository (checkpoints, diff and rollback need git)`,
    );
  }
  if (!existsSync(first.repo)) {
    throw new OrchestratorError('INVALID_INPUT', `the working tree of task ${task.id} (${first.repo}) no longer exists`);
  }
  return { repo: first.repo, all };
}

/** The working tree now, as an unreferenced commit (nothing keeps it unless a ref is added). */
async function snapshotNow(root: string, taskId: string, what: string): Promise<string> {
  const repository = await findRepository(root);
  if (!repository) throw new OrchestratorError('GIT_FAILED', `${root} is no longer a git work tree`);
  return takeCheckpoint(repository, { message: `ai-orchestrator: ${what} of task ${taskId}` });
}

/** What the task changed (or step `step` of it: "3" or "2.1"). */
export async function diffTask(
  store: WorkspaceStore,
  task: TaskRef,
  options: { readonly step?: string; readonly patch?: boolean } = {},
): Promise<TaskDiff> {
  const { repo, all } = checkpointsOf(store, task);
  const steps = stepCheckpoints(all);
  const end = endCheckpoint(all);
  let from = all[0]?.commit ?? '';
  let to: string | undefined = end?.commit;
  let toLabel: TaskDiff['toLabel'] = 'end';
  let step: StepCheckpoint | undefined;
  if (options.step !== undefined) {
    step = findStep(steps, options.step);
    from = step.commit;
    const next = steps.find((s) => s.number === step!.number + 1);
    if (next) {
      to = next.commit;
      toLabel = 'next-step';
    }
  }
  if (to === undefined) {
    to = await snapshotNow(repo, task.id, 'diff');
    toLabel = 'working-tree';
  }
  const files = await diffFiles(repo, from, to);
  return {
    repo,
    from,
    to,
    toLabel,
    ...(step ? { step } : {}),
    files,
    ...(options.patch ? { patch: await diffPatch(repo, from, to) } : {}),
  };
}

/**
 * Restores the files the task changed to their state before the task (or before step
 * `toStep`). Refuses (WORKSPACE_CONFLICT, files named) when some were changed again after the
 * task, unless `force`. The working tree of the moment before is kept under a ref first.
 */
export async function rollbackTask(
  store: WorkspaceStore,
  task: TaskRef,
  options: { readonly toStep?: string; readonly force?: boolean } = {},
): Promise<RollbackResult> {
  if (task.running) throw new OrchestratorError('INVALID_INPUT', `task ${task.id} is still running; cancel it before rolling it back`);
  const { repo, all } = checkpointsOf(store, task);
  const target = options.toStep !== undefined ? findStep(stepCheckpoints(all), options.toStep).commit : (all[0]?.commit ?? '');
  const end = endCheckpoint(all)?.commit;
  const now = await snapshotNow(repo, task.id, 'state before a rollback');
  const files = await changedPaths(repo, target, end ?? now);
  if (files.length === 0) throw new OrchestratorError('INVALID_INPUT', `task ${task.id} changed no files${options.toStep ? ' from that step on' : ''}: nothing to roll back`);
  const changedAgain = end ? intersect(await changedPaths(repo, end, now), files) : [];
  if (changedAgain.length > 0 && !options.force) {
    throw new OrchestratorError(
      'WORKSPACE_CONFLICT',
      `refusing to roll back task ${task.id}: ${fileList(changedAgain)} changed again after the task (--force overwrites them; a checkpoint keeps them)`,
    );
  }
  const seq = store.nextRollbackSeq(task.id);
  const savedAs = rollbackRef(task.id, seq, 'rollback');
  await git(repo, [...QUIET_GIT, 'update-ref', savedAs, now]);
  await restoreFiles(repo, target, files);
  store.addRollback({ taskId: task.id, seq, repo, targetCommit: target, beforeCommit: now, beforeRef: savedAs, files });
  return { repo, files, overwritten: changedAgain, savedAs, target };
}

/**
 * Undoes the task's last rollback: the files it restored get their content from just before it
 * back. Refuses when those files were changed after the rollback, unless `force`.
 */
export async function undoRollback(store: WorkspaceStore, task: TaskRef, options: { readonly force?: boolean } = {}): Promise<RollbackResult> {
  const last: RollbackRecord | undefined = store.lastRollback(task.id);
  if (!last) throw new OrchestratorError('INVALID_INPUT', `task ${task.id} has no rollback to undo`);
  if (!existsSync(last.repo)) throw new OrchestratorError('INVALID_INPUT', `the working tree ${last.repo} no longer exists`);
  const now = await snapshotNow(last.repo, task.id, 'state before undoing a rollback');
  const changedAgain = intersect(await changedPaths(last.repo, last.targetCommit, now), last.files);
  if (changedAgain.length > 0 && !options.force) {
    throw new OrchestratorError(
      'WORKSPACE_CONFLICT',
      `refusing to undo the rollback of task ${task.id}: ${fileList(changedAgain)} changed after the rollback (--force overwrites them; a checkpoint keeps them)`,
    );
  }
  const savedAs = rollbackRef(task.id, last.seq, 'undo');
  await git(last.repo, [...QUIET_GIT, 'update-ref', savedAs, now]);
  await restoreFiles(last.repo, last.beforeCommit, last.files);
  store.markUndone(task.id, last.seq);
  return { repo: last.repo, files: last.files, overwritten: changedAgain, savedAs, target: last.beforeCommit };
}

function intersect(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(b);
  return a.filter((file) => set.has(file)).sort();
}

function fileList(files: readonly string[]): string {
  const shown = files.slice(0, 10).join(', ');
  return files.length > 10 ? `${shown} and ${files.length - 10} more` : shown;
}
