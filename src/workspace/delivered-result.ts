/**
 * `tasks apply` for a task a queue worker ran: its changes are on branch `aio/<task-id>` of the
 * repository it named (pushed there), or in a bundle kept with the task. They are fetched into the
 * current repository as that branch when it does not have the commit yet, then applied like a
 * local worktree task's, as uncommitted changes.
 */
import { OrchestratorError } from '../shared/errors.js';
import { fetchBundle } from './bundles.js';
import { networkEnv } from './clone-cache.js';
import { QUIET_GIT, git, resolveCommit } from './git.js';
import { applyWorktree, type ApplyResult } from './worktree.js';

export interface DeliveredChanges {
  readonly taskId: string;
  readonly delivery: 'pushed' | 'bundle' | 'none';
  readonly repo: string;
  readonly branch: string;
  readonly baseCommit: string;
  readonly commit?: string;
  readonly bundle?: string;
}

export async function applyDelivered(result: DeliveredChanges, targetRoot: string): Promise<ApplyResult> {
  const short = result.taskId.slice(0, 8);
  if (result.delivery === 'none' || !result.commit) throw new OrchestratorError('INVALID_INPUT', `task ${short} changed nothing: nothing to apply`);
  const branchRef = `refs/heads/${result.branch}`;
  if ((await resolveCommit(targetRoot, branchRef)) !== result.commit) {
    if (result.delivery === 'bundle') {
      if (!result.bundle) throw new OrchestratorError('INVALID_INPUT', `task ${short}'s result bundle has not reached this machine yet (\`tasks watch ${short}\` stores it)`);
      await fetchBundle(targetRoot, result.bundle, branchRef, branchRef);
    } else {
      await git(targetRoot, [...QUIET_GIT, 'fetch', '--quiet', '--no-tags', result.repo, `+${branchRef}:${branchRef}`], { env: networkEnv() });
    }
  }
  return applyWorktree({ taskId: result.taskId, repo: targetRoot, branch: result.branch, baseCommit: result.baseCommit }, targetRoot);
}
