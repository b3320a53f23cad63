/**
 * The CLI's commands as one commander program. Start-up stays lean: command modules are small and
 * load their heavy parts (database, adapters, servers) inside their actions. Other surfaces (the
 * web server, the MCP server, queue workers) add their own commands through `extraCommands`; the
 * binary (src/bin.ts) composes them, so no surface imports another.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { resolveHome } from '../config/config-source.js';
import { ERROR_CODES } from '../shared/errors.js';
import { registerAgentsCommand } from './commands/agents.js';
import { registerAuditCommand } from './commands/audit.js';
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
import { describeFailure } from './failure.js';
import { printJson, printedOutput } from './output.js';
import { tightenHomeWithWarning } from './private-home.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** What the run knows about how to report a failure; filled in as parsing gets further. */
interface FailureMode {
  /** The command asked for JSON output: a failure is also a JSON object on stdout. */
  json: boolean;
  /** --verbose: an unexpected error keeps its stack. */
  verbose: boolean;
}

/** Adds a command to the program (another surface's `serve`, `mcp`, `worker`). */
export type RegisterCommand = (program: Command) => void;

export function buildProgram(
  extraCommands: readonly RegisterCommand[] = [],
  mode: FailureMode = { json: false, verbose: false },
): Command {
  const program = new Command('ai-orchestrator')
    .description('Make AI coding assistants work as a team: implement → review → refine until the review converges.')
    .version(packageVersion(), '-V, --version')
    .option('-c, --config <file>', 'configuration file (default: ./.ai-orchestrator/agents.yaml, $AI_ORCHESTRATOR_HOME/agents.yaml, built-in)')
    .option('-v, --verbose', 'debug logging on stderr')
    .option('-q, --quiet', 'only errors on stderr')
    .option('--log-format <format>', 'logs on stderr as "plain" lines (default) or "json" lines; the log file is always JSON')
    .exitOverride()
    .hook('preAction', (_program, action) => {
      const options = action.optsWithGlobals<{ json?: unknown; verbose?: boolean; quiet?: boolean }>();
      // `--json <file>` of `context export` names a file; only the flag form asks for JSON output.
      mode.json = options.json === true;
      mode.verbose = Boolean(options.verbose);
      tightenHomeWithWarning(resolveHome(process.env), { quiet: Boolean(options.quiet) });
    });
  program.configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
    // A parser error is one line: commander's "(Did you mean …?)" joins the message.
    outputError: (s, write) => write(`${s.trimEnd().replace(/\s*\n\s*/g, ' ')}\n`),
  });
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
  registerAuditCommand(program);
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

/** Help and --version end the run through commander too: those are not failures. */
const NOT_FAILURES = new Set(['commander.helpDisplayed', 'commander.version']);

export async function main(argv: readonly string[], extraCommands: readonly RegisterCommand[] = []): Promise<number> {
  exitQuietlyOnClosedStdout();
  // Before an action runs, only the raw arguments can tell whether JSON output was asked for.
  const mode: FailureMode = { json: argv.includes('--json'), verbose: argv.includes('--verbose') || argv.includes('-v') };
  const program = buildProgram(extraCommands, mode);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (NOT_FAILURES.has(error.code) || (error.code === 'commander.help' && error.exitCode === 0)) return error.exitCode;
      // Commander has printed its one line (or, for a command group run bare, its help) on stderr.
      if (mode.json) printJson({ error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } });
      return ERROR_CODES.USAGE.exitCode;
    }
    const failure = describeFailure(error);
    process.stderr.write(`${failure.line}\n`);
    if (mode.verbose && failure.stack) process.stderr.write(`${failure.stack}\n`);
    if (mode.json && !printedOutput()) printJson({ error: { code: failure.code, message: failure.message } });
    return failure.exitCode;
  }
}

