/**
 * `tasks watch`, `tasks cancel` and `tasks resume`: a task from another terminal. They act
 * through the task service on the shared database, so the task may run in any process.
 */
import type { Command } from 'commander';
import { printJson, printLine } from '../output.js';

export function registerTaskFollowCommands(tasks: Command): void {
  tasks
    .command('watch')
    .description('follow a task (also one running in another process): its events from the start, then live; exits as `run` would')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--json', 'one JSON object per line with its seq, instead of the progress display')
    .option('--since <seq>', 'only events after this sequence number', '0')
    .option('--stream', "copy the agents' output as it arrives")
    .action(async (id: string, options: { json?: boolean; since: string; stream?: boolean }, command: Command) => {
      const { openCliContext } = await import('../context.js');
      const context = await openCliContext(command);
      const { OrchestratorError } = await import('../../shared/errors.js');
      const { openCliTaskService } = await import('../task-service.js');
      const { exitCodeFor, followTask } = await import('./follow-task.js');
      const since = Number(options.since);
      if (!Number.isInteger(since) || since < 0) throw new OrchestratorError('INVALID_INPUT', `--since must be a sequence number ≥ 0 (got "${options.since}")`);
      const service = openCliTaskService(context);
      const task = service.resolve(id);
      const followed = await followTask(context, service, task.id, {
        since,
        interrupt: 'detach',
        ...(options.json ? { jsonLines: true } : {}),
        ...(options.stream ? { stream: true } : {}),
      });
      // Ended without a final event (its process died): the state the store has now.
      process.exitCode = followed.detached ? 0 : exitCodeFor(followed.status ?? service.get(task.id)?.status);
    });

  tasks
    .command('cancel')
    .description('cancel a task, also one running in another process: its agents are stopped and it is stored as cancelled')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--json', 'print {"task_id","status","cancelled"}')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { openCliContext } = await import('../context.js');
      const context = await openCliContext(command);
      const { openCliTaskService } = await import('../task-service.js');
      const service = openCliTaskService(context);
      const result = await service.cancel(id);
      if (options.json) printJson({ task_id: result.taskId, status: result.status, cancelled: result.cancelled });
      else if (result.cancelled) printLine(`cancelled task ${result.taskId.slice(0, 8)}`);
      else printLine(`task ${result.taskId.slice(0, 8)} is ${result.status}${result.status === 'cancelled' ? ' already' : ''}: nothing to cancel`);
      // Still running after the wait: the owner did not answer and its agent could not be stopped.
      process.exitCode = result.cancelled || ['completed', 'failed', 'cancelled', 'interrupted'].includes(result.status) ? 0 : 1;
    });

  tasks
    .command('resume')
    .description('continue a failed, cancelled or interrupted task after its last completed step (same plan, same context)')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--stream', "copy the agents' output to stderr as it arrives")
    .option('--json', 'print the result as one JSON object on stdout (as `run --json`)')
    .action(async (id: string, options: { json?: boolean; stream?: boolean }, command: Command) => {
      const { openCliContext } = await import('../context.js');
      const context = await openCliContext(command);
      const { openCliTaskService } = await import('../task-service.js');
      const { finishFollowing } = await import('./run-task.js');
      const service = openCliTaskService(context);
      const task = service.resolve(id);
      const before = service.events(task.id).at(-1)?.seq ?? 0;
      const submitted = service.resume(task.id, { source: 'cli' });
      process.exitCode = await finishFollowing(context, service, submitted, { stream: Boolean(options.stream), json: Boolean(options.json), since: before });
    });
}
