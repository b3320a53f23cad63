/**
 * `ai-orchestrator tasks apply <id>`: brings the changes a `--worktree` task committed on its
 * branch into the current working tree, as uncommitted changes (nothing is staged or committed).
 * Refuses, naming the files, when they do not apply cleanly (exit 3); nothing is changed then.
 * With `--proposed`: writes the files local models proposed and nobody wrote (tasks-apply-proposed.ts).
 */
import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';

export function registerTasksApplyCommand(tasks: Command): void {
  tasks
    .command('apply')
    .description("bring a --worktree task's changes (its aio/<id> branch) into the current working tree, uncommitted; --proposed: write the files local models proposed")
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--proposed', "write the files local models proposed during the task (and did not write) into the task's working directory")
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean; proposed?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { OrchestratorError } = await import('../../shared/errors.js');
      const { openTaskWorkspaceStores } = await import('./task-workspace-store.js');
      if (options.proposed) {
        const { applyTaskProposals } = await import('./tasks-apply-proposed.js');
        const applied = applyTaskProposals(openTaskWorkspaceStores(context.home), id);
        const refused = applied.outcomes.filter((o) => o.status === 'refused');
        if (options.json) {
          printJson({ task_id: applied.taskId, cwd: applied.cwd, outcomes: applied.outcomes.map((o) => (o.status === 'written' ? { status: o.status, path: o.path, kind: o.kind } : o)) });
        } else {
          for (const o of applied.outcomes) printLine(o.status === 'written' ? `${o.kind === 'add' ? 'added' : 'updated'} ${o.path}` : `refused ${o.path}: ${o.reason}`);
        }
        process.exitCode = refused.length > 0 ? 1 : 0;
        return;
      }
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
