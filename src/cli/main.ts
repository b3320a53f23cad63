/**
 * The CLI's commands as one commander program. Start-up stays lean: command modules are small and
 * load their heavy parts (database, adapters, servers) inside their actions. Other surfaces (the
 * web server, the MCP server, queue workers) add their own commands through `extraCommands`; the
 * binary (src/bin.ts) composes them, so no surface imports another.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { OrchestratorError } from '../shared/errors.js';
import { registerAgentsCommand } from './commands/agents.js';
import { registerContextCommand } from './commands/context.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerModelsCommand } from './commands/models.js';
import { registerRunCommand } from './commands/run.js';
import { registerShellCommand } from './commands/shell.js';
import { registerTasksCommand } from './commands/tasks.js';
import { registerTestAgentCommand } from './commands/test-agent.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWorkflowsCommand } from './commands/workflows.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Adds a command to the program (another surface's `serve`, `mcp`, `worker`). */
export type RegisterCommand = (program: Command) => void;

export function buildProgram(extraCommands: readonly RegisterCommand[] = []): Command {
  const program = new Command('ai-orchestrator')
    .description('Make AI coding assistants work as a team: implement → review → refine until the review converges.')
    .version(packageVersion(), '-V, --version')
    .option('-c, --config <file>', 'configuration file (default: ./.ai-orchestrator/agents.yaml, $AI_ORCHESTRATOR_HOME/agents.yaml, built-in)')
    .option('-v, --verbose', 'debug logging on stderr')
    .option('-q, --quiet', 'only errors on stderr')
    .showHelpAfterError()
    .exitOverride();
  program.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  registerAgentsCommand(program);
  registerWorkflowsCommand(program);
  registerValidateCommand(program);
  registerModelsCommand(program);
  registerRunCommand(program);
  registerShellCommand(program);
  registerTasksCommand(program);
  registerContextCommand(program);
  registerTestAgentCommand(program);
  registerMetricsCommand(program);
  registerDoctorCommand(program);
  for (const register of extraCommands) register(program);
  return program;
}

/** `ai-orchestrator agents | head` closes our stdout early: that is the reader's choice, not an error. */
function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

export async function main(argv: readonly string[], extraCommands: readonly RegisterCommand[] = []): Promise<number> {
  exitQuietlyOnClosedStdout();
  const program = buildProgram(extraCommands);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (OrchestratorError.isInstance(error)) {
      process.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

