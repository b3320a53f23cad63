/**
 * The stop rule, made real (the original hard-coded 3 and ignored its setting): stop when every
 * step of the iteration succeeded and no review has more than `min_suggestions_threshold`
 * suggestions; with `stop_on_plateau`, also stop when the suggestion count stops falling; and
 * always stop when the iterations run out. A pure function of the convergence history.
 */
import type { StopDecision } from '../events/events.js';

export interface StopRuleSettings {
  readonly threshold: number;
  readonly stopOnPlateau: boolean;
  readonly maxIterations: number;
}

export interface IterationFigures {
  readonly iteration: number;
  readonly allSucceeded: boolean;
  /** Suggestions per review step of the iteration (empty when the workflow has no review). */
  readonly reviewCounts: readonly number[];
}

/** Decides after an iteration whose steps all ran; undefined = run another iteration. */
export function decideStop(
  current: IterationFigures,
  previous: IterationFigures | undefined,
  settings: StopRuleSettings,
): StopDecision | undefined {
  const total = sum(current.reviewCounts);
  if (current.allSucceeded && current.reviewCounts.every((count) => count <= settings.threshold)) {
    const detail =
      current.reviewCounts.length === 0
        ? 'every step succeeded (the workflow has no review step)'
        : `every step succeeded and no review has more than ${settings.threshold} suggestion${settings.threshold === 1 ? '' : 's'} (${describeCounts(current.reviewCounts)})`;
    return { reason: 'converged', detail };
  }
  if (settings.stopOnPlateau && previous && current.reviewCounts.length > 0) {
    const before = sum(previous.reviewCounts);
    if (total >= before) {
      return {
        reason: 'plateau',
        detail: `suggestions stopped falling: ${before} in iteration ${previous.iteration}, ${total} in iteration ${current.iteration}`,
      };
    }
  }
  if (current.iteration >= settings.maxIterations) {
    return {
      reason: 'max_iterations',
      detail: `reached max_iterations (${settings.maxIterations}) with ${describeCounts(current.reviewCounts)} (threshold ${settings.threshold})`,
    };
  }
  return undefined;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function describeCounts(counts: readonly number[]): string {
  if (counts.length === 0) return 'no review';
  const total = sum(counts);
  return counts.length === 1 ? `${total} suggestion${total === 1 ? '' : 's'}` : `${counts.join('+')} suggestions`;
}
