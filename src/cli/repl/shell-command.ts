/**
 * The `shell` action: opens the task service (as `run` does), the line history, and runs the
 * session on this process's stdin: each line is submitted as a task and followed live. `/agents`, `/workflows` and `/show` run the very commands
 * `agents`, `workflows` and `tasks show` (same code, same output) with the shell's global options.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { listWorkflows } from '../../config/workflows.js';
import { createAgentsRedactor } from '../../security/redact.js';
import { OrchestratorError, errorMessage } from '../../shared/errors.js';
import { registerAgentsCommand } from '../commands/agents.js';
import type { ShellOptions } from '../commands/shell.js';
import { followTask } from '../commands/follow-task.js';
import { parseBudget, parseIterations } from '../commands/run-task.js';
import { openCliTaskService } from '../task-service.js';
import { registerTasksCommand } from '../commands/tasks.js';
import { registerWorkflowsCommand } from '../commands/workflows.js';
import { openCliContext, type GlobalOptions } from '../context.js';
import { printLine } from '../output.js';
import { openShellHistory } from './shell-history.js';
import { runShellSession } from './shell-session.js';

export async function shellCommand(options: ShellOptions, command: Command): Promise<number> {
  const context = await openCliContext(command);
  const maxIterations = options.maxIterations !== undefined ? parseIterations(options.maxIterations) : undefined;
  const budgetUsd = options.budgetUsd !== undefined ? parseBudget(options.budgetUsd) : undefined;
  const service = openCliTaskService(context);
  const workflowNames = [...new Set([...listWorkflows(service.config).map((w) => w.name), 'default', 'dynamic'])];
  if (!workflowNames.includes(options.workflow)) {
    throw new OrchestratorError('INVALID_INPUT', `unknown workflow "${options.workflow}" (known: ${workflowNames.join(', ')})`);
  }
  const terminal = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  if (terminal && !context.globals.quiet) process.stderr.write('ai-orchestrator shell — type a task, /help for commands, Ctrl+D to leave\n');
  return runShellSession({
    runTask: async (request) => {
      const submitted = service.submit({
        task: request.task,
        workflow: request.workflow,
        ...(request.followUpOf ? { followUpOf: request.followUpOf } : {}),
        ...(maxIterations !== undefined ? { maxIterations } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.project !== undefined ? { projectPath: options.project } : {}),
        ...(options.offline ? { offline: true } : {}),
        ...(budgetUsd !== undefined ? { budgetUsd } : {}),
        source: 'shell',
      });
      request.onTaskCreated(submitted.taskId);
      const cancel = (): void => void service.cancel(submitted.taskId).catch(() => undefined);
      request.signal.addEventListener('abort', cancel, { once: true });
      try {
        const followed = await followTask(context, service, submitted.taskId, { stream: Boolean(options.stream), interrupt: 'caller', onRenderer: request.onRenderer });
        const result = await submitted.done;
        if (result.refusal) throw new OrchestratorError(result.refusal.code, result.refusal.message);
        return { result, endShown: followed.endShown };
      } finally {
        request.signal.removeEventListener('abort', cancel);
      }
    },
    workflow: options.workflow,
    workflowNames,
    input: process.stdin,
    err: process.stderr,
    print: printLine,
    terminal,
    history: openShellHistory(path.join(context.home, 'shell_history'), {
      redact: createAgentsRedactor(Object.values(service.config.agents).map((agent) => agent.env)),
    }),
    runCommand: (args) => runSubcommand(context.globals, args),
  });
}

async function runSubcommand(globals: GlobalOptions, args: readonly string[]): Promise<void> {
  const program = new Command('ai-orchestrator')
    .option('-c, --config <file>')
    .option('-v, --verbose')
    .option('-q, --quiet')
    .exitOverride();
  program.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  registerAgentsCommand(program);
  registerWorkflowsCommand(program);
  registerTasksCommand(program);
  const flags = [
    ...(globals.config ? ['--config', globals.config] : []),
    ...(globals.verbose ? ['--verbose'] : []),
    ...(globals.quiet ? ['--quiet'] : []),
  ];
  try {
    await program.parseAsync(['node', 'ai-orchestrator', ...flags, ...args]);
  } catch (error) {
    // Commander has already printed its own message.
    if (error instanceof CommanderError) return;
    process.stderr.write(`error: ${errorMessage(error)}\n`);
  }
}
