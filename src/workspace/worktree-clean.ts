/**
 * `tasks clean` for worktrees: removes the worktrees of tasks that ended, and their branches only
 * when nothing on them would be lost — every commit is on another branch, or an equivalent change
 * is already in the current branch (`git cherry`, so a branch brought in with `tasks apply` and
 * committed counts as merged). Changes a task left uncommitted (it was killed) are committed on
 * its branch first. Also deletes the checkpoint refs of tasks that no longer exist.
 */
import { existsSync } from 'node:fs';
import { errorMessage } from '../shared/errors.js';
import { commitWorktree } from './worktree.js';
import { QUIET_GIT, git, gitBytes, resolveCommit } from './git.js';
import type { WorktreeRecord, WorkspaceStore } from './workspace-store.js';

export interface CleanReport {
  readonly removed: readonly { readonly taskId: string; readonly path: string }[];
  readonly deletedBranches: readonly string[];
  /** Branches kept because they hold commits found nowhere else. */
  readonly keptBranches: readonly { readonly taskId: string; readonly branch: string; readonly commits: number }[];
  /** Worktrees left alone (task still running, git refused) and why. */
  readonly skipped: readonly { readonly taskId: string; readonly reason: string }[];
  readonly deletedRefs: number;
}

/**
 * Where a task stands, for cleaning: still running (its worktree stays, and the report says so),
 * too recent for this clean (stays, silently), ended, or deleted from the task store.
 */
export type TaskPresence = 'running' | 'recent' | 'finished' | 'gone';

export async function cleanWorktrees(store: WorkspaceStore, presence: (taskId: string) => TaskPresence): Promise<CleanReport> {
  const removed: { taskId: string; path: string }[] = [];
  const deletedBranches: string[] = [];
  const keptBranches: { taskId: string; branch: string; commits: number }[] = [];
  const skipped: { taskId: string; reason: string }[] = [];
  const repos = new Set<string>();

  for (const record of store.liveWorktrees()) {
    const verdict = cleanable(record, presence);
    if (verdict !== 'clean') {
      if (verdict.reason) skipped.push({ taskId: record.taskId, reason: verdict.reason });
      continue;
    }
    try {
      if (existsSync(record.path)) {
        await commitLeftovers(record);
        await git(record.repo, ['worktree', 'remove', '--force', record.path]);
      }
      removed.push({ taskId: record.taskId, path: record.path });
      const unmerged = await unmergedCommits(record);
      if (unmerged === undefined) {
        // The branch is gone already (deleted by the user): nothing to keep.
      } else if (unmerged === 0) {
        await git(record.repo, ['branch', '--quiet', '-D', record.branch]);
        deletedBranches.push(record.branch);
      } else {
        keptBranches.push({ taskId: record.taskId, branch: record.branch, commits: unmerged });
      }
      store.markWorktreeRemoved(record.taskId);
      repos.add(record.repo);
    } catch (error) {
      skipped.push({ taskId: record.taskId, reason: errorMessage(error) });
    }
  }
  for (const repo of repos) await git(repo, ['worktree', 'prune']).catch(() => undefined);
  return { removed, deletedBranches, keptBranches, skipped, deletedRefs: await deleteOrphanRefs(store, presence) };
}

export interface CleanPlan {
  readonly worktrees: readonly {
    readonly taskId: string;
    readonly path: string;
    readonly branch: string;
    /** Uncommitted changes in it, which a clean commits on its branch before removing it. */
    readonly uncommitted: boolean;
    /** Commits on its branch found nowhere else (the branch is kept); 0: the branch is deleted; null: no branch. */
    readonly unmergedCommits: number | null;
  }[];
  readonly skipped: CleanReport['skipped'];
  /** Checkpoint refs of tasks that are (or would be) deleted. */
  readonly refs: number;
}

/**
 * What `cleanWorktrees` would do, found by reading only (`tasks clean --dry-run`): nothing is
 * committed, removed or deleted. A branch whose worktree holds uncommitted changes is counted as
 * it stands; the clean would first commit those changes on it, so it would be kept.
 */
export async function planClean(store: WorkspaceStore, presence: (taskId: string) => TaskPresence): Promise<CleanPlan> {
  const worktrees: CleanPlan['worktrees'][number][] = [];
  const skipped: { taskId: string; reason: string }[] = [];
  for (const record of store.liveWorktrees()) {
    const verdict = cleanable(record, presence);
    if (verdict !== 'clean') {
      if (verdict.reason) skipped.push({ taskId: record.taskId, reason: verdict.reason });
      continue;
    }
    try {
      const uncommitted = existsSync(record.path) && (await git(record.path, ['status', '--porcelain', '--untracked-files=all'])).trim() !== '';
      const unmerged = await unmergedCommits(record);
      worktrees.push({ taskId: record.taskId, path: record.path, branch: record.branch, uncommitted, unmergedCommits: unmerged ?? null });
    } catch (error) {
      skipped.push({ taskId: record.taskId, reason: errorMessage(error) });
    }
  }
  const refs = store.refs().filter((ref) => presence(ref.taskId) === 'gone').length;
  return { worktrees, skipped, refs };
}

async function commitLeftovers(record: WorktreeRecord): Promise<void> {
  const status = await git(record.path, ['status', '--porcelain', '--untracked-files=all']);
  if (status.trim() === '') return;
  await commitWorktree(
    record.path,
    `ai-orchestrator: uncommitted changes of task ${record.taskId}\n\nLeft in its worktree when the task ended without committing them (workflow ${record.workflow}).\n`,
  );
}

/**
 * Commits on the branch that no other branch holds and whose change is not already in HEAD;
 * undefined when the branch does not exist.
 */
async function unmergedCommits(record: WorktreeRecord): Promise<number | undefined> {
  const ref = `refs/heads/${record.branch}`;
  if (!(await resolveCommit(record.repo, ref))) return undefined;
  // --exclude patterns given to --branches are branch names, without refs/heads/.
  const unique = (await git(record.repo, ['rev-list', ref, '--not', `--exclude=${record.branch}`, '--branches'])).split('\n').filter(Boolean);
  if (unique.length === 0) return 0;
  if (!(await resolveCommit(record.repo, 'HEAD'))) return unique.length;
  const cherry = (await git(record.repo, ['cherry', 'HEAD', ref])).split('\n').filter((line) => line.startsWith('+'));
  return cherry.length;
}

/** Checkpoint refs of tasks deleted from the store: the refs go, and the rows that named them. */
async function deleteOrphanRefs(store: WorkspaceStore, presence: (taskId: string) => TaskPresence): Promise<number> {
  let deleted = 0;
  const tasks = new Set<string>();
  for (const orphan of store.refs().filter((ref) => presence(ref.taskId) === 'gone')) {
    tasks.add(orphan.taskId);
    if (!existsSync(orphan.repo)) continue;
    const { exitCode } = await gitBytes(orphan.repo, [...QUIET_GIT, 'update-ref', '-d', orphan.ref], { okCodes: [1, 128] }).catch(() => ({ exitCode: 1 }));
    if (exitCode === 0) deleted++;
  }
  for (const taskId of tasks) store.forgetTask(taskId);
  return deleted;
}

/** Whether a task's worktree may be cleaned now; when not, why (no reason: a recent task, left quietly). */
function cleanable(
  record: { readonly taskId: string; readonly repo: string },
  presence: (taskId: string) => TaskPresence,
): 'clean' | { readonly reason?: string } {
  const state = presence(record.taskId);
  if (state === 'recent') return {};
  if (state === 'running') return { reason: 'its task is still running' };
  if (!existsSync(record.repo)) return { reason: `its repository ${record.repo} no longer exists` };
  return 'clean';
}
