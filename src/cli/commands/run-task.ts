/**
 * The `run` action: reads the task, opens the shared task runner (./task-runner.ts, also used by
 * `shell`), handles Ctrl+C, runs the task and prints the result. Exit code: 0 completed, 1 failed,
 * 130 cancelled.
 */
import type { Command } from 'commander';
import { OrchestratorError } from '../../shared/errors.js';
import { resultJson } from '../../workflow/result-json.js';
import { createCliContext } from '../context.js';
import { printJson, printLine } from '../output.js';
import type { RunOptions } from './run.js';
import { openTaskRunner } from './task-runner.js';

export const EXIT_CANCELLED = 130;

export async function runTaskCommand(taskArgument: string, options: RunOptions, command: Command): Promise<number> {
  const context = createCliContext(command);
  const task = await readTask(taskArgument);
  const runner = openTaskRunner(context, options);
  const { store } = runner;

  const controller = new AbortController();
  const created: { taskId?: string; stopRenderer?: () => void } = {};
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      created.stopRenderer?.();
      process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl+C' : signal}: cancelling the task (again to exit at once)\n`);
      controller.abort();
      return;
    }
    // Second signal: record the cancel and leave now; the process module's exit hook kills agent groups.
    try {
      const current = created.taskId ? store.get(created.taskId) : undefined;
      if (current && (current.status === 'in_progress' || current.status === 'pending')) {
        store.finish(current.id, {
          status: 'cancelled',
          success: false,
          stopReason: 'cancelled',
          reason: 'cancelled by the user (forced exit)',
          iterations: current.iterations,
          finalOutput: '',
          usage: current.usage,
        });
      }
    } finally {
      process.exit(EXIT_CANCELLED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcome;
  try {
    outcome = await runner.run({
      task,
      workflow: options.workflow,
      signal: controller.signal,
      onTaskCreated: (id) => (created.taskId = id),
      onRendererStop: (stop) => (created.stopRenderer = stop),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  if (options.json) printJson(resultJson(outcome));
  else if (outcome.finalOutput) printLine(outcome.finalOutput);
  return outcome.status === 'completed' ? 0 : outcome.status === 'cancelled' ? EXIT_CANCELLED : 1;
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
