/**
 * The `worker` action: its configuration (the queue URL over the file's), the worker itself, its
 * optional health and metrics port, and how it stops — the first SIGTERM or SIGINT drains (no new
 * jobs, running tasks finish; after --drain-timeout they are handed back), a second one hands the
 * running tasks back to the queue at once (another worker takes each over after its last
 * completed step). Logs go to stderr; stdout carries only the address of the HTTP port.
 */
import type { Command } from 'commander';
import { withQueueUrl } from '../config/queue-url.js';
import { openCommandContext } from '../service/command-context.js';
import { OrchestratorError } from '../shared/errors.js';
import type { WorkerOptions } from './worker-command.js';

export async function runWorker(options: WorkerOptions, command: Command): Promise<number> {
  const context = await openCommandContext(command);
  const logger = context.logger();
  const config = withQueueUrl(context.config().config, options.queue);
  const settings = config.settings.queue;
  if (!settings) throw new OrchestratorError('INVALID_INPUT', 'worker needs a queue: --queue redis://… or settings.queue.url');
  const concurrency = wholeNumber('--concurrency', options.concurrency, 1, 64);
  const port = options.port === undefined ? undefined : wholeNumber('--port', options.port, 0, 65_535);
  const drainSeconds = options.drainTimeout === undefined ? undefined : wholeNumber('--drain-timeout', options.drainTimeout, 0, 86_400);
  const agents = options.agents?.split(',').map((name) => name.trim()).filter((name) => name !== '');

  const [{ startQueueWorker }, { createMetrics, observeEvents }] = await Promise.all([import('../service/queue-worker.js'), import('../observability/metrics.js')]);
  const metrics = createMetrics();
  const worker = await startQueueWorker({
    home: context.home,
    config,
    settings,
    logger,
    env: context.env,
    baseDir: context.cwd,
    concurrency,
    ...(agents ? { agents } : {}),
    ...(options.name ? { name: options.name } : {}),
    onOutcome: (outcome) => metrics.queueJobs.inc({ outcome: outcome.replace('-', '_') }),
  });
  observeEvents(worker.runtime.bus, metrics);
  const http = port === undefined ? undefined : await (await import('./worker-http.js')).serveWorkerHttp({ host: options.host, port, worker, metrics });
  if (http) process.stdout.write(`${http.url}\n`);

  await new Promise<void>((resolve) => {
    let signals = 0;
    let drainTimer: NodeJS.Timeout | undefined;
    const handBack = (): void => {
      const running = worker.status().running.length;
      if (running > 0) logger.info(`handing ${running} running task(s) back to the queue`);
      void worker.handBack();
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        clearTimeout(drainTimer);
        handBack();
        return;
      }
      const running = worker.status().running.length;
      logger.info(`${signal}: draining — no new tasks; ${running} running task(s) finish (send it again to hand them back now)`);
      if (drainSeconds !== undefined) drainTimer = setTimeout(handBack, drainSeconds * 1000);
      void worker.drain().then(() => {
        clearTimeout(drainTimer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await http?.close();
  await worker.close();
  logger.info('worker stopped');
  return 0;
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new OrchestratorError('INVALID_INPUT', `${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  return value;
}
