/**
 * The `run` action: reads the task, submits it to the task service, follows it live (Ctrl+C
 * cancels) and prints the result. Also `tasks resume`, which follows a resumed task the same way.
 * Exit code: 0 completed, 1 failed, 130 cancelled.
 */
import type { Command } from 'commander';
import { OrchestratorError } from '../../shared/errors.js';
import type { SubmittedTask, TaskService } from '../../service/task-service.js';
import { resultJson } from '../../workflow/result-json.js';
import { openCliContext, type CliContext } from '../context.js';
import { printJson, printLine } from '../output.js';
import { openCliTaskService } from '../task-service.js';
import { exitCodeFor, followTask } from './follow-task.js';
import type { RunOptions } from './run.js';

export async function runTaskCommand(taskArgument: string, options: RunOptions, command: Command): Promise<number> {
  const context = await openCliContext(command);
  const task = await readTask(taskArgument);
  const maxIterations = options.maxIterations !== undefined ? parseIterations(options.maxIterations) : undefined;
  const budgetUsd = options.budgetUsd !== undefined ? parseBudget(options.budgetUsd) : undefined;
  const queued = Boolean(options.queue) || options.queueUrl !== undefined;
  if (options.detach && !queued) throw new OrchestratorError('INVALID_INPUT', '--detach needs --queue (only a queued task runs on without this process)');
  // The queue's settings (and the schema that checks a --queue-url) load only for a queued task.
  const config = queued ? (await import('../../config/queue-url.js')).withQueueUrl(context.config().config, options.queueUrl) : undefined;
  const service = openCliTaskService(context, config ? { config } : {});
  const submitted = service.submit({
    task,
    workflow: options.workflow,
    ...(maxIterations !== undefined ? { maxIterations } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.project !== undefined ? { projectPath: options.project } : {}),
    ...(options.offline ? { offline: true } : {}),
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    ...(options.worktree ? { isolation: 'worktree' as const } : {}),
    ...(options.base !== undefined ? { base: options.base } : {}),
    ...(queued ? { queue: true } : {}),
    source: 'cli',
  });
  if (options.detach) {
    await submitted.queued;
    if (options.json) printJson({ task_id: submitted.taskId, status: 'queued' });
    else printLine(submitted.taskId);
    await service.close();
    return 0;
  }
  return finishFollowing(context, service, submitted, { stream: Boolean(options.stream), json: Boolean(options.json), since: 0 });
}

/** Follows a submitted (or resumed) task of this process to its end and prints its result. */
export async function finishFollowing(
  context: CliContext,
  service: TaskService,
  submitted: SubmittedTask,
  options: { readonly stream: boolean; readonly json: boolean; readonly since: number },
): Promise<number> {
  await followTask(context, service, submitted.taskId, { stream: options.stream, since: options.since, interrupt: 'cancel' });
  const result = await submitted.done;
  // A request that could not be planned (no agent available, …) is bad input, not a task result.
  if (result.refusal) throw new OrchestratorError(result.refusal.code, result.refusal.message);
  if (options.json) printJson(resultJson(result));
  else if (result.status === 'completed' && result.finalOutput) printLine(result.finalOutput);
  return exitCodeFor(result.status);
}

async function readTask(argument: string): Promise<string> {
  let text = argument;
  if (argument === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    text = Buffer.concat(chunks).toString('utf8');
  }
  const task = text.trim();
  if (task === '') throw new OrchestratorError('INVALID_INPUT', 'Task description is empty');
  return task;
}

export function parseBudget(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new OrchestratorError('INVALID_INPUT', `--budget-usd must be a positive number of US dollars (got "${text}")`);
  }
  return value;
}

export function parseIterations(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw new OrchestratorError('INVALID_INPUT', `--max-iterations must be a whole number from 1 to 100 (got "${text}")`);
  }
  return value;
}
