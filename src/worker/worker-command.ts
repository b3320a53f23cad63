/**
 * `ai-orchestrator worker`: the queue's worker surface, registered into the binary's program by
 * src/bin.ts beside `serve` and `mcp`. The module is small; the worker loads inside the action.
 */
import type { Command } from 'commander';

export interface WorkerOptions {
  readonly queue?: string;
  readonly concurrency: string;
  readonly agents?: string;
  readonly name?: string;
  readonly port?: string;
  readonly host: string;
  readonly drainTimeout?: string;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description("run queued tasks: take jobs from the queue (Redis) whose agents this machine has, and stream their events back to the coordinator")
    .option('--queue <url>', 'Redis URL of the queue (default: settings.queue.url)')
    .option('-c, --concurrency <n>', 'tasks run at once', '1')
    .option('--agents <names>', 'comma-separated agents this worker offers (default: the configured ones found on this machine)')
    .option('--name <name>', "how this worker appears in tasks' logs (default: <host>-<pid>)")
    .option('--port <port>', 'serve /health and /metrics on this port (0: any free port)')
    .option('--host <host>', 'address for --port', '127.0.0.1')
    .option('--drain-timeout <seconds>', 'on SIGTERM, wait this long for running tasks before handing them back to the queue (default: until they end)')
    .action(async (options: WorkerOptions, command: Command) => {
      const { runWorker } = await import('./run-worker.js');
      process.exitCode = await runWorker(options, command);
    });
}
