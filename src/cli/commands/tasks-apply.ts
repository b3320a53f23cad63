/**
 * `ai-orchestrator tasks apply <id>`: brings the changes a `--worktree` task committed on its
 * branch into the current working tree, as uncommitted changes (nothing is staged or committed).
 * Refuses, naming the files, when they do not apply cleanly (exit 3); nothing is changed then.
 */
import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';

export function registerTasksApplyCommand(tasks: Command): void {
  tasks
    .command('apply')
    .description("bring a --worktree task's changes (its aio/<id> branch) into the current working tree, uncommitted")
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { OrchestratorError } = await import('../../shared/errors.js');
      const { openTaskWorkspaceStores } = await import('./task-workspace-store.js');
      const { findRepository } = await import('../../workspace/git.js');
      const { applyWorktree } = await import('../../workspace/worktree.js');
      const stores = openTaskWorkspaceStores(context.home);
      const { task, ref } = stores.resolve(id);
      const short = task.id.slice(0, 8);
      // A task a queue worker ran: its changes were pushed to its repository or kept as a bundle.
      const { queuedResult } = await import('./queued-result.js');
      const worktree = stores.workspace.worktree(task.id) ?? queuedResult(context.home, task);
      if (!worktree) throw new OrchestratorError('INVALID_INPUT', `task ${short} did not run in a worktree (run --worktree): its changes are in its working tree already`);
      if (ref.running) throw new OrchestratorError('INVALID_INPUT', `task ${short} is still running; apply it once it has ended`);
      const target = await findRepository(context.cwd);
      if (!target) throw new OrchestratorError('INVALID_INPUT', `${context.cwd} is not in a git repository`);
      const branch = worktree.branch;
      const applied =
        'delivery' in worktree
          ? await (await import('../../workspace/delivered-result.js')).applyDelivered({ taskId: task.id, ...worktree }, target.root)
          : await applyWorktree(worktree, target.root);
      if (options.json) {
        printJson({ task_id: task.id, branch, repo: target.root, files: applied.files });
        return;
      }
      printLine(`applied ${applied.files.length} file${applied.files.length === 1 ? '' : 's'} of task ${short} (${branch}) to ${target.root}, uncommitted:`);
      for (const file of applied.files) printLine(`  ${file}`);
    });
}
