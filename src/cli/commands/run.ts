/**
 * `ai-orchestrator run <task>`: the main job. Registration only — the action (engine, database,
 * adapters) loads on use so other commands start fast.
 */
import type { Command } from 'commander';

export interface RunOptions {
  readonly workflow: string;
  readonly maxIterations?: string;
  readonly offline?: boolean;
  readonly cwd?: string;
  readonly project?: string;
  readonly json?: boolean;
  readonly stream?: boolean;
  /** US dollars; overrides settings.budget_usd. */
  readonly budgetUsd?: string;
  /** Run in a new git worktree on branch aio/<task id>. */
  readonly worktree?: boolean;
  /** The revision the worktree (or the queued task) starts from. */
  readonly base?: string;
  /** Hand the task to the queue's workers (settings.queue.url, or --queue-url). */
  readonly queue?: boolean;
  readonly queueUrl?: string;
  /** With --queue: print the task id once queued and exit. */
  readonly detach?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a task through a workflow (implement → review → refine until the review converges)')
    .argument('<task>', 'what to do; "-" reads it from stdin')
    .option('-w, --workflow <name>', 'workflow to run (see `ai-orchestrator workflows`)', 'default')
    .option('-n, --max-iterations <n>', 'most iterations (default: the workflow\'s, else settings.max_iterations)')
    .option('--offline', 'only local agents; `default` becomes `offline-default`')
    .option('--cwd <dir>', 'directory the agents work in (default: settings.workspace_dir, i.e. the current directory)')
    .option('--project <path>', 'project this task belongs to, for context memory (default: $PROJECT_PATH, settings.project_path, else the git repository of --cwd)')
    .option('--budget-usd <usd>', 'stop the task before the next step once this many US dollars are spent (default: settings.budget_usd)')
    .option('--worktree', 'run in a new git worktree on branch aio/<task id>, leaving this tree alone (default: settings.isolation)')
    .option('--base <ref>', 'with --worktree or --queue: the commit or branch it starts from (default: HEAD)')
    .option('--queue', "hand the task to queue workers (settings.queue.url): they run it on this repository's HEAD")
    .option('--queue-url <url>', 'with --queue: the Redis URL of the queue (over settings.queue.url)')
    .option('--detach', 'with --queue: print the task id once it is queued and exit (`tasks watch <id>` follows it)')
    .option('--stream', "copy the agents' output to stderr as it arrives")
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (task: string, options: RunOptions, command: Command) => {
      const { runTaskCommand } = await import('./run-task.js');
      process.exitCode = await runTaskCommand(task, options, command);
    });
}
