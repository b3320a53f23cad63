/**
 * `ai-orchestrator tasks clean [--older-than D] [--dry-run] [--keep-memory]`: removes the worktrees
 * of finished tasks — their branches only when every commit on them is merged elsewhere, and it
 * says which it kept — and with --older-than deletes finished tasks older than that, together with
 * their checkpoint refs and what context memory holds only because of them (unless
 * --keep-memory). --dry-run only says what it would do.
 */
import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';
import type { CleanPlan } from '../../workspace/worktree-clean.js';

/** Older than any task; beyond it the cut-off date is not a date JavaScript can hold. */
const MAX_AGE_MS = 100 * 365.25 * 86_400_000;

export function registerTasksCleanCommand(tasks: Command): void {
  tasks
    .command('clean')
    .description('remove worktrees of finished tasks (keeping branches with unmerged commits); with --older-than also delete old finished tasks')
    .option('--older-than <duration>', 'also delete finished tasks older than this, e.g. 30m, 12h, 7d, 2w (their worktrees and checkpoints too)')
    .option('--dry-run', 'change nothing; say what would be removed')
    .option('--keep-memory', "keep the deleted tasks in context memory (their task nodes, step outputs and mistakes)")
    .option('--json', 'print JSON')
    .action(async (options: CleanOptions, command: Command) => {
      const context = createDataContext(command);
      const { parseDuration } = await import('../../tasks/duration.js');
      const { ACTIVE_STATUSES } = await import('../../tasks/task-state.js');
      const { openTaskWorkspaceStores } = await import('./task-workspace-store.js');
      const { cleanWorktrees } = await import('../../workspace/worktree-clean.js');
      const { OrchestratorError } = await import('../../shared/errors.js');
      const ms = options.olderThan !== undefined ? parseDuration(options.olderThan) : undefined;
      if (ms !== undefined && ms > MAX_AGE_MS) throw new OrchestratorError('INVALID_INPUT', `--older-than must be at most 100 years (got "${options.olderThan}")`);
      const cutoff = ms !== undefined ? new Date(Date.now() - ms) : undefined;
      const stores = openTaskWorkspaceStores(context.home);
      const { databasePath, openDatabase } = await import('../../storage/database.js');
      const { forgetTaskMemory, taskMemoryNodeIds } = await import('../../context/task-forget.js');
      const db = openDatabase(databasePath(context.home));
      if (options.dryRun) {
        const { planClean } = await import('../../workspace/worktree-clean.js');
        // All of them: a dry run that counted only the newest would understate what goes.
        const doomed = cutoff
          ? stores.tasks.list({ limit: Number.MAX_SAFE_INTEGER }).filter((t) => !ACTIVE_STATUSES.includes(t.status) && Date.parse(t.createdAt) < cutoff.getTime())
          : [];
        const doomedIds = new Set(doomed.map((t) => t.id));
        const plan = await planClean(stores.workspace, (taskId) => {
          const task = stores.tasks.get(taskId);
          if (!task || doomedIds.has(taskId)) return 'gone';
          if (ACTIVE_STATUSES.includes(task.status)) return 'running';
          return cutoff && Date.parse(task.createdAt) >= cutoff.getTime() ? 'recent' : 'finished';
        });
        const memoryNodes = options.keepMemory ? 0 : taskMemoryNodeIds(db, [...doomedIds]).length;
        printCleanPlan(plan, doomed.map((t) => t.id), memoryNodes, options);
        return;
      }
      // One transaction: a task is never gone while its memory stays, nor the other way round.
      const { deleted, forgotten } = db.transaction(() => {
        const ids = cutoff ? stores.tasks.deleteFinishedBefore(cutoff) : [];
        return { deleted: ids.length, forgotten: options.keepMemory ? 0 : forgetTaskMemory(db, ids) };
      })();
      const report = await cleanWorktrees(stores.workspace, (taskId) => {
        const task = stores.tasks.get(taskId);
        if (!task) return 'gone';
        if (ACTIVE_STATUSES.includes(task.status)) return 'running';
        return cutoff && Date.parse(task.createdAt) >= cutoff.getTime() ? 'recent' : 'finished';
      });
      if (options.json) {
        printJson({
          deleted,
          forgotten_memory_nodes: forgotten,
          removed_worktrees: report.removed.map((r) => ({ task_id: r.taskId, path: r.path })),
          deleted_branches: report.deletedBranches,
          kept_branches: report.keptBranches.map((k) => ({ task_id: k.taskId, branch: k.branch, unmerged_commits: k.commits })),
          skipped: report.skipped.map((s) => ({ task_id: s.taskId, reason: s.reason })),
          deleted_refs: report.deletedRefs,
        });
        return;
      }
      if (cutoff) {
        printLine(`deleted ${deleted} task${deleted === 1 ? '' : 's'} older than ${options.olderThan ?? ''}`);
        printLine(
          options.keepMemory
            ? 'kept their context memory (--keep-memory)'
            : `removed ${plural(forgotten, 'memory node')} of deleted tasks (their task nodes, step outputs and the mistakes only they made)`,
        );
      }
      printLine(`removed ${report.removed.length} worktree${report.removed.length === 1 ? '' : 's'}${report.deletedBranches.length > 0 ? `, deleted merged branch${report.deletedBranches.length === 1 ? '' : 'es'} ${report.deletedBranches.join(', ')}` : ''}`);
      for (const kept of report.keptBranches) {
        printLine(
          `kept branch ${kept.branch}: ${kept.commits} commit${kept.commits === 1 ? '' : 's'} not merged anywhere (\`ai-orchestrator tasks apply ${kept.taskId.slice(0, 8)}\` or \`git merge ${kept.branch}\`; \`git branch -D ${kept.branch}\` to drop it)`,
        );
      }
      for (const skipped of report.skipped) printLine(`left the worktree of task ${skipped.taskId.slice(0, 8)}: ${skipped.reason}`);
      if (report.deletedRefs > 0) printLine(`deleted ${report.deletedRefs} checkpoint ref${report.deletedRefs === 1 ? '' : 's'} of deleted tasks`);
    });
}

interface CleanOptions {
  readonly olderThan?: string;
  readonly dryRun?: boolean;
  readonly keepMemory?: boolean;
  readonly json?: boolean;
}

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

function printCleanPlan(plan: CleanPlan, doomed: readonly string[], memoryNodes: number, options: CleanOptions): void {
  if (options.json) {
    printJson({
      dry_run: true,
      would_delete: doomed,
      would_forget_memory_nodes: memoryNodes,
      would_remove_worktrees: plan.worktrees.map((w) => ({
        task_id: w.taskId,
        path: w.path,
        branch: w.branch,
        uncommitted_changes: w.uncommitted,
        branch_kept: w.uncommitted || (w.unmergedCommits ?? 0) > 0,
        unmerged_commits: w.unmergedCommits,
      })),
      skipped: plan.skipped.map((s) => ({ task_id: s.taskId, reason: s.reason })),
      would_delete_refs: plan.refs,
    });
    return;
  }
  printLine('dry run: nothing was changed');
  if (options.olderThan !== undefined) {
    printLine(`would delete ${plural(doomed.length, 'task')} older than ${options.olderThan}${doomed.length > 0 ? `: ${doomed.map((id) => id.slice(0, 8)).join(', ')}` : ''}`);
    printLine(
      options.keepMemory
        ? 'would keep their context memory (--keep-memory)'
        : `would remove ${plural(memoryNodes, 'memory node')} of those tasks (--keep-memory keeps them)`,
    );
  }
  printLine(`would remove ${plural(plan.worktrees.length, 'worktree')}`);
  for (const w of plan.worktrees) {
    const branch =
      w.unmergedCommits === null
        ? 'its branch is gone already'
        : w.uncommitted
          ? `its uncommitted changes would be committed on ${w.branch}, which would be kept`
          : w.unmergedCommits === 0
            ? `merged branch ${w.branch} would be deleted`
            : `branch ${w.branch} would be kept: ${plural(w.unmergedCommits, 'commit')} not merged anywhere`;
    printLine(`  ${w.path} (task ${w.taskId.slice(0, 8)}): ${branch}`);
  }
  for (const skipped of plan.skipped) printLine(`would leave the worktree of task ${skipped.taskId.slice(0, 8)}: ${skipped.reason}`);
  if (plan.refs > 0) printLine(`would delete ${plural(plan.refs, 'checkpoint ref')} of deleted tasks`);
}
