/**
 * `ai-orchestrator tasks rollback <id> [--to-step N] [--force] [--undo]`: puts the files a task
 * changed back as they were before it (or before step N). Refuses, naming them, when some were
 * changed again since (exit 3) unless --force; the state just before is kept so `--undo` can
 * bring it back. Files the task did not touch are never touched.
 */
import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';

interface RollbackOptions {
  readonly toStep?: string;
  readonly force?: boolean;
  readonly undo?: boolean;
  readonly json?: boolean;
}

export function registerTasksRollbackCommand(tasks: Command): void {
  tasks
    .command('rollback')
    .description('restore the files a task changed to their state before it (or before step N); --undo reverts the last rollback')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--to-step <n>', 'restore the state before this step (its number, or iteration.step) instead of before the task')
    .option('--force', 'also overwrite files changed again after the task (they stay in a checkpoint)')
    .option('--undo', "undo this task's last rollback")
    .option('--json', 'print JSON')
    .action(async (id: string, options: RollbackOptions, command: Command) => {
      const context = createDataContext(command);
      const { OrchestratorError } = await import('../../shared/errors.js');
      const { openTaskWorkspaceStores } = await import('./task-workspace-store.js');
      const { rollbackTask, undoRollback } = await import('../../workspace/task-changes.js');
      if (options.undo && options.toStep !== undefined) throw new OrchestratorError('INVALID_INPUT', '--undo and --to-step do not go together');
      const stores = openTaskWorkspaceStores(context.home);
      const { task, ref } = stores.resolve(id);
      const short = task.id.slice(0, 8);
      const force = Boolean(options.force);
      const result = options.undo ? await undoRollback(stores.workspace, ref, { force }) : await rollbackTask(stores.workspace, ref, { force, ...(options.toStep !== undefined ? { toStep: options.toStep } : {}) });
      if (options.json) {
        printJson({ task_id: task.id, undo: Boolean(options.undo), repo: result.repo, files: result.files, overwritten: result.overwritten, saved_as: result.savedAs });
        return;
      }
      const files = `${result.files.length} file${result.files.length === 1 ? '' : 's'}`;
      if (options.undo) printLine(`undid the last rollback of task ${short}: ${files} back as they were before it`);
      else printLine(`rolled back ${files} of task ${short} to ${options.toStep !== undefined ? `before step ${options.toStep}` : 'before the task'}`);
      for (const file of result.files) printLine(`  ${file}`);
      if (result.overwritten.length > 0) printLine(`overwritten (--force): ${result.overwritten.join(', ')}`);
      printLine(`the state before is kept as ${result.savedAs}${options.undo ? '' : `; \`ai-orchestrator tasks rollback ${short} --undo\` brings it back`}`);
    });
}
