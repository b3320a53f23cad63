/**
 * `ai-orchestrator tasks diff <id> [--step N] [--stat] [--json]`: what a task — or one of its
 * steps — changed, from its checkpoints. Works for a task that failed, was cancelled or whose
 * process was killed (then the end is the working tree as it is now, and it says so).
 */
import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';

interface DiffOptions {
  readonly step?: string;
  readonly stat?: boolean;
  readonly json?: boolean;
}

export function registerTasksDiffCommand(tasks: Command): void {
  tasks
    .command('diff')
    .description('what a task (or one step of it) changed in the working tree, from its checkpoints')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--step <n>', 'only this step: its number in the order steps ran (3), or iteration.step as `tasks show` prints it (2.1)')
    .option('--stat', 'files with lines added and removed instead of the patch')
    .option('--json', 'print JSON (files, and the patch unless --stat)')
    .action(async (id: string, options: DiffOptions, command: Command) => {
      const context = createDataContext(command);
      const { openTaskWorkspaceStores } = await import('./task-workspace-store.js');
      const { diffTask } = await import('../../workspace/task-changes.js');
      const stores = openTaskWorkspaceStores(context.home);
      const { task, ref } = stores.resolve(id);
      const diff = await diffTask(stores.workspace, ref, {
        ...(options.step !== undefined ? { step: options.step } : {}),
        patch: !options.stat,
      });
      const to = diff.toLabel === 'working-tree' ? 'working tree now' : diff.toLabel === 'end' ? 'end of the task' : 'next step';
      const what = diff.step ? `step ${diff.step.number} (${diff.step.iteration ?? '?'}.${(diff.step.stepIndex ?? 0) + 1})` : 'the whole task';
      if (options.json) {
        printJson({
          task_id: task.id,
          repo: diff.repo,
          step: diff.step ? { number: diff.step.number, iteration: diff.step.iteration ?? null, index: diff.step.stepIndex ?? null } : null,
          from: diff.from,
          to: diff.to,
          to_label: diff.toLabel,
          files: diff.files.map((f) => ({ path: f.path, status: f.status, additions: f.additions ?? null, deletions: f.deletions ?? null, binary: f.binary })),
          ...(diff.patch !== undefined ? { patch: diff.patch } : {}),
        });
        return;
      }
      if (diff.toLabel === 'working-tree') {
        process.stderr.write(`task ${task.id.slice(0, 8)} has no end checkpoint (${task.status}): compared with the working tree now\n`);
      }
      if (diff.files.length === 0) {
        printLine(`${what} of task ${task.id.slice(0, 8)} changed no files`);
        return;
      }
      if (options.stat) {
        printLine(`${what} of task ${task.id.slice(0, 8)} (${diff.from.slice(0, 10)} → ${diff.to.slice(0, 10)}, ${to}) in ${diff.repo}`);
        const width = Math.max(...diff.files.map((f) => f.path.length));
        for (const f of diff.files) {
          const counts = f.binary ? 'binary' : `+${f.additions ?? 0} -${f.deletions ?? 0}`;
          printLine(` ${f.status.padEnd(8)} ${f.path.padEnd(width)}  ${counts}`);
        }
        const added = diff.files.reduce((sum, f) => sum + (f.additions ?? 0), 0);
        const removed = diff.files.reduce((sum, f) => sum + (f.deletions ?? 0), 0);
        printLine(` ${diff.files.length} file${diff.files.length === 1 ? '' : 's'} changed, ${added} line${added === 1 ? '' : 's'} added, ${removed} removed`);
        return;
      }
      printLine(diff.patch ?? '');
    });
}
