/**
 * Where a stopped task continues. Iterations whose every step succeeded (and whose iteration
 * record was written without a failing stop) are kept whole; in the first other iteration, the
 * leading steps that succeeded are kept and the run continues at the first one that did not.
 * The prompt context and the stop rule's history are then rebuilt from the kept steps by the
 * engine, so a resumed task gets the same prompts an uninterrupted run would have.
 */
import type { IterationRecord, StepRecord } from '../events/events.js';
import type { Usage } from '../adapters/spec.js';
import type { ResumePoint } from '../workflow/engine.js';

export function findResumePoint(
  stepCount: number,
  steps: readonly StepRecord[],
  convergence: readonly IterationRecord[],
  usage: Usage,
): ResumePoint {
  const completeIteration = (iteration: number): boolean => {
    const record = convergence.find((c) => c.iteration === iteration);
    const stopped = record?.stop !== undefined && !['converged', 'max_iterations', 'plateau'].includes(record.stop.reason);
    return record !== undefined && !stopped && record.allSucceeded && leadingSuccesses(steps, iteration, stepCount) === stepCount;
  };
  let iteration = 1;
  while (completeIteration(iteration)) iteration++;
  const index = leadingSuccesses(steps, iteration, stepCount);
  const kept = steps.filter((s) => s.iteration < iteration || (s.iteration === iteration && s.index < index));
  return {
    iteration,
    index,
    steps: [...kept].sort((a, b) => a.iteration - b.iteration || a.index - b.index),
    convergence: convergence.filter((c) => c.iteration < iteration),
    usage,
  };
}

function leadingSuccesses(steps: readonly StepRecord[], iteration: number, stepCount: number): number {
  let index = 0;
  while (index < stepCount && steps.some((s) => s.iteration === iteration && s.index === index && s.success)) index++;
  return index;
}
