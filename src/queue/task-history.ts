/**
 * A task's state rebuilt from its events, the way the coordinator's task row follows them: the
 * plan, the step records and convergence kept (a resume or a takeover drops what comes after the
 * point where it continues), what was spent, whether it ended, and which attempt of the current
 * dispatch this is. A worker taking a job over reads this from the task's stream — it has no
 * other copy of the task.
 */
import type { Usage } from '../adapters/spec.js';
import type { IterationRecord, PlanSummary, StepRecord, StoredEvent } from '../events/events.js';

export interface TaskHistory {
  readonly lastSeq: number;
  readonly plan?: PlanSummary;
  readonly steps: readonly StepRecord[];
  readonly convergence: readonly IterationRecord[];
  readonly usage: Usage;
  /** The last run ended (task.finished) and was not resumed since. */
  readonly finished: boolean;
  /** Workers that took the task since it was last dispatched (created or resumed). */
  readonly attempts: number;
  readonly lastWorker?: string;
}

export function taskHistory(events: readonly StoredEvent[]): TaskHistory {
  let lastSeq = 0;
  let plan: PlanSummary | undefined;
  let steps: StepRecord[] = [];
  let convergence: IterationRecord[] = [];
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let finished = false;
  let attempts = 0;
  let lastWorker: string | undefined;
  const dropFrom = (iteration: number, index: number): void => {
    steps = steps.filter((s) => s.iteration < iteration || (s.iteration === iteration && s.index < index));
    convergence = convergence.filter((c) => c.iteration < iteration);
  };
  for (const { seq, event } of events) {
    lastSeq = Math.max(lastSeq, seq);
    switch (event.type) {
      case 'task.created':
        attempts = 0;
        break;
      case 'task.resumed':
        finished = false;
        attempts = 0;
        dropFrom(event.iteration, event.index);
        break;
      case 'task.assigned':
        attempts++;
        lastWorker = event.worker;
        break;
      case 'task.takeover':
        attempts++;
        lastWorker = event.worker;
        dropFrom(event.iteration, event.index);
        break;
      case 'task.planned':
        plan = event.plan;
        break;
      case 'step.finished':
        steps = [...steps.filter((s) => s.iteration !== event.step.iteration || s.index !== event.step.index), event.step];
        usage = addUsage(usage, event.step.usage);
        break;
      case 'iteration.finished':
        convergence = [...convergence.filter((c) => c.iteration !== event.iteration.iteration), event.iteration];
        break;
      case 'task.finished':
        finished = true;
        usage = event.usage;
        break;
      case 'task.queued':
      case 'task.started':
      case 'agent.started':
      case 'agent.retrying':
      case 'agent.stderr':
      case 'circuit.changed':
      case 'step.started':
      case 'step.activity':
      case 'step.output':
      case 'workspace.notice':
      case 'workspace.checkpoint':
      case 'workspace.result':
        // Nothing where the task stands depends on these.
        break;
    }
  }
  steps.sort((a, b) => a.iteration - b.iteration || a.index - b.index);
  return { lastSeq, ...(plan ? { plan } : {}), steps, convergence, usage, finished, attempts, ...(lastWorker ? { lastWorker } : {}) };
}

function addUsage(a: Usage, b: Usage): Usage {
  const cost = a.costUsd === undefined && b.costUsd === undefined ? undefined : (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, ...(cost !== undefined ? { costUsd: cost } : {}) };
}
