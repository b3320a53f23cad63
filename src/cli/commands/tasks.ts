/**
 * `ai-orchestrator tasks list|show|watch|cancel|resume|diff|rollback|apply|clean`: the task store
 * from the command line. Opening the store marks tasks left unfinished by a dead process as `interrupted`.
 */
import type { Command } from 'commander';
import { OrchestratorError } from '../../shared/errors.js';
import { createDataContext } from '../data-context.js';
import { printJson, printLine, printTable } from '../output.js';
import { registerTasksApplyCommand } from './tasks-apply.js';
import { registerTasksCleanCommand } from './tasks-clean.js';
import { registerTasksDiffCommand } from './tasks-diff.js';
import { registerTaskFollowCommands } from './tasks-follow.js';
import { registerTasksRollbackCommand } from './tasks-rollback.js';

interface ListOptions {
  readonly json?: boolean;
  readonly status?: string;
  readonly limit?: string;
}

/** More rows than anyone reads; SQLite's LIMIT and JavaScript's integers both hold it exactly. */
const MAX_LIST_LIMIT = 1_000_000;

export function registerTasksCommand(program: Command): void {
  const tasks = program.command('tasks').description('list, inspect, watch, cancel, resume and clean up tasks');
  registerTaskFollowCommands(tasks);
  registerTasksDiffCommand(tasks);
  registerTasksRollbackCommand(tasks);
  registerTasksApplyCommand(tasks);
  registerTasksCleanCommand(tasks);

  tasks
    .command('list')
    .description('recent tasks, newest first')
    .option('--json', 'print JSON')
    .option('--status <status>', 'only tasks in this state (queued, pending, in_progress, completed, failed, cancelled, interrupted)')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (options: ListOptions, command: Command) => {
      const context = createDataContext(command);
      const { isTaskStatus } = await import('../../tasks/task-state.js');
      const { openTaskStore } = await import('../../tasks/open-task-store.js');
      const { taskSummaryJson } = await import('../../service/task-json.js');
      if (options.status !== undefined && !isTaskStatus(options.status)) {
        throw new OrchestratorError(
          'INVALID_INPUT',
          `unknown status "${options.status}" (queued, pending, in_progress, completed, failed, cancelled, interrupted)`,
        );
      }
      const limit = Number(options.limit ?? '20');
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new OrchestratorError('INVALID_INPUT', `--limit must be a whole number from 1 to ${MAX_LIST_LIMIT} (got "${options.limit}")`);
      }
      const { store } = openTaskStore(context.home);
      const list = store.list({ ...(options.status !== undefined && isTaskStatus(options.status) ? { status: options.status } : {}), limit });
      if (options.json) {
        printJson({ tasks: list.map(taskSummaryJson) });
        return;
      }
      if (list.length === 0) {
        printLine('no tasks');
        return;
      }
      printTable(
        ['ID', 'STATUS', 'WORKFLOW', 'ITER', 'CREATED', 'TASK'],
        list.map((t) => [t.id.slice(0, 8), t.status, t.workflow, String(t.iterations), t.createdAt.replace('T', ' ').slice(0, 19), oneLine(t.task, 60)]),
      );
    });

  tasks
    .command('show')
    .description('one task with its steps and convergence history')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { openTaskStore } = await import('../../tasks/open-task-store.js');
      const { taskDetailJson } = await import('../../service/task-json.js');
      const { createPlanStore, describeStoredPlan } = await import('../../workflow/plan-store.js');
      const { databasePath, openDatabase } = await import('../../storage/database.js');
      const { store } = openTaskStore(context.home);
      const task = store.resolve(id);
      const steps = store.steps(task.id);
      const plan = createPlanStore(openDatabase(databasePath(context.home))).get(task.id);
      if (options.json) {
        printJson({ ...taskDetailJson(task, steps), plan: plan ?? null });
        return;
      }
      printLine(`task      ${task.id}`);
      printLine(`status    ${task.status}${task.stopReason ? ` (${task.stopReason})` : ''}`);
      if (task.currentStep) {
        const step = task.currentStep;
        const seconds = Math.max(0, Math.round((Date.now() - Date.parse(step.startedAt)) / 1000));
        printLine(`running   iteration ${step.iteration}, step ${step.index + 1}: ${step.agent} ${step.role}, for ${seconds} s`);
      }
      if (task.reason) printLine(`reason    ${task.reason}`);
      if (task.followUpOf) printLine(`follows   ${task.followUpOf}`);
      printLine(`workflow  ${task.workflow}, ${task.iterations}/${task.maxIterations} iterations`);
      printLine(`cwd       ${task.cwd}`);
      printLine(`created   ${task.createdAt}${task.finishedAt ? `, finished ${task.finishedAt}` : ''}`);
      printLine(`tokens    ${task.usage.inputTokens} in / ${task.usage.outputTokens} out${task.usage.costUsd !== undefined ? `, $${task.usage.costUsd.toFixed(4)}` : ''}`);
      printLine(`task      ${task.task}`);
      if (plan && plan.source !== 'workflow') for (const line of describeStoredPlan(plan)) printLine(line);
      printLine();
      printTable(
        ['ITER', 'STEP', 'AGENT', 'ROLE', 'RESULT', 'SUGG', 'FILES', 'TIME'],
        steps.map((s) => [
          String(s.iteration),
          String(s.index + 1),
          s.fallbackFrom ? `${s.agent} (for ${s.fallbackFrom})` : s.agent,
          s.role,
          s.success ? 'ok' : `failed: ${s.error?.kind ?? '?'}`,
          s.role === 'review' ? String(s.suggestions.length) : '',
          String(s.filesModified.length),
          `${(s.durationMs / 1000).toFixed(1)}s`,
        ]),
      );
      for (const s of steps.filter((step) => step.error)) {
        printLine(`  step ${s.iteration}.${s.index + 1} ${s.error?.kind}: ${s.error?.message}`);
        if (s.error?.fix) printLine(`    fix: ${s.error.fix}`);
      }
      for (const s of steps) {
        const unwritten = (s.proposedChanges ?? []).filter((c) => !c.applied).map((c) => c.path);
        if (unwritten.length > 0) printLine(`  step ${s.iteration}.${s.index + 1} proposed, not written: ${unwritten.join(', ')} (tasks apply ${task.id.slice(0, 8)} --proposed writes them)`);
      }
      for (const s of steps) for (const r of s.refusals ?? []) printLine(`  step ${s.iteration}.${s.index + 1} refused: ${r.tool}${r.target !== undefined ? ` ${r.target}` : ''} — ${oneLine(r.reason, 200)}`);
      if (task.finalOutput) {
        printLine();
        printLine(task.finalOutput);
      }
    });
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
