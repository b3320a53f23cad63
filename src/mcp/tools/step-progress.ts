/**
 * Progress of a running task for an MCP client: one notification per finished step, read from the
 * task's event log (so none is missed however fast the steps are), until the task ends.
 */
import type { Logger } from '../../observability/logger.js';
import type { TaskService } from '../../service/task-service.js';
import { errorMessage } from '../../shared/errors.js';
import { stepLine } from '../task-shapes.js';

export interface StepProgress {
  /** Steps finished so far (only grows, as MCP requires). */
  readonly progress: number;
  readonly message: string;
}

export async function reportStepProgress(
  service: TaskService,
  taskId: string,
  send: (progress: StepProgress) => Promise<void>,
  logger: Logger,
): Promise<void> {
  let finished = 0;
  let stepCount = 0;
  let maxIterations = 0;
  try {
    for await (const { event } of service.watch(taskId)) {
      if (event.type === 'task.started') maxIterations = event.maxIterations;
      if (event.type === 'step.started') stepCount = event.stepCount;
      if (event.type !== 'step.finished') continue;
      finished += 1;
      const { step } = event;
      const where = `iteration ${step.iteration}${maxIterations ? `/${maxIterations}` : ''}, step ${step.index + 1}${stepCount ? `/${stepCount}` : ''}`;
      await send({ progress: finished, message: `${stepLine(step)} — ${where}` });
    }
  } catch (error) {
    // A client that went away cannot be told; the task's own end is not affected.
    logger.debug(`progress for task ${taskId} stopped: ${errorMessage(error)}`);
  }
}
