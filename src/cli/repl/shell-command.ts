/**
 * The `shell` action: opens the task runner shared with `run`, the line history, and runs the
 * session on this process's stdin. `/agents`, `/workflows` and `/show` run the very commands
 * `agents`, `workflows` and `tasks show` (same code, same output) with the shell's global options.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { listWorkflows } from '../../config/workflows.js';
import { createAgentsRedactor } from '../../security/redact.js';
import { OrchestratorError, errorMessage } from '../../shared/errors.js';
import { registerAgentsCommand } from '../commands/agents.js';
import type { ShellOptions } from '../commands/shell.js';
import { openTaskRunner } from '../commands/task-runner.js';
import { registerTasksCommand } from '../commands/tasks.js';
import { registerWorkflowsCommand } from '../commands/workflows.js';
import { createCliContext, type GlobalOptions } from '../context.js';
import { printLine } from '../output.js';
import { openShellHistory } from './shell-history.js';
import { runShellSession } from './shell-session.js';

export async function shellCommand(options: ShellOptions, command: Command): Promise<number> {
  const context = createCliContext(command);
  const runner = openTaskRunner(context, options);
  const workflowNames = [...new Set([...listWorkflows(runner.config).map((w) => w.name), 'default', 'dynamic'])];
  if (!workflowNames.includes(options.workflow)) {
    throw new OrchestratorError('INVALID_INPUT', `unknown workflow "${options.workflow}" (known: ${workflowNames.join(', ')})`);
  }
  const terminal = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  if (terminal && !context.globals.quiet) process.stderr.write('ai-orchestrator shell — type a task, /help for commands, Ctrl+D to leave\n');
  return runShellSession({
    runner,
    workflow: options.workflow,
    workflowNames,
    input: process.stdin,
    err: process.stderr,
    print: printLine,
    terminal,
    history: openShellHistory(path.join(context.home, 'shell_history'), {
      redact: createAgentsRedactor(Object.values(runner.config.agents).map((agent) => agent.env)),
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
