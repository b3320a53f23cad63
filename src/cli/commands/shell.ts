/**
 * `ai-orchestrator shell`: the interactive REPL. Registration only — the session
 * (src/cli/repl/shell-session.ts) and the task runner load on use.
 */
import type { Command } from 'commander';
export interface ShellOptions {
  readonly workflow: string;
  readonly maxIterations?: string;
  readonly offline?: boolean;
  readonly cwd?: string;
  readonly project?: string;
  readonly stream?: boolean;
  /** US dollars; overrides settings.budget_usd. */
  readonly budgetUsd?: string;
}

export function registerShellCommand(program: Command): void {
  program
    .command('shell')
    .description('interactive session: each line runs as a task, follow-ups carry the previous result (/help inside)')
    .option('-w, --workflow <name>', 'workflow to start with (switch inside with /workflow NAME)', 'default')
    .option('-n, --max-iterations <n>', 'most iterations per task (default: the workflow\'s, else settings.max_iterations)')
    .option('--offline', 'only local agents; `default` becomes `offline-default`')
    .option('--cwd <dir>', 'directory the agents work in (default: settings.workspace_dir, i.e. the current directory)')
    .option('--project <path>', 'project the tasks belong to, for context memory (default: as for `run`)')
    .option('--budget-usd <usd>', 'per task: stop before the next step once this many US dollars are spent')
    .option('--stream', "copy the agents' output to stderr as it arrives")
    .action(async (options: ShellOptions, command: Command) => {
      const { shellCommand } = await import('../repl/shell-command.js');
      process.exitCode = await shellCommand(options, command);
    });
}
