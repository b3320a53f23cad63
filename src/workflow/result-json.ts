/**
 * The JSON form of a task's result, as `run --json` prints it, reports store it and `tasks show
 * --json` returns it. Keys are snake_case because this is a wire format users script against;
 * the domain types stay camelCase.
 */
import type { AgentError, Usage } from '../adapters/spec.js';
import type { IterationRecord, StepRecord } from '../events/events.js';
import type { TaskOutcome } from './engine.js';

export interface UsageJson {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cost_usd: number | null;
}

export interface StepJson {
  readonly iteration: number;
  readonly index: number;
  readonly agent: string;
  readonly role: string;
  readonly success: boolean;
  readonly fallback_from: string | null;
  readonly suggestions: readonly string[];
  readonly files_modified: readonly string[];
  /** Files a local agent proposed in fenced blocks; `applied` = written (settings.apply_local_edits). */
  readonly proposed_changes: readonly { readonly path: string; readonly applied: boolean; readonly note: string | null }[];
  /** Tool calls the agent's CLI refused: what they would have done did not happen. */
  readonly refusals: readonly { readonly tool: string; readonly target: string | null; readonly reason: string }[];
  readonly duration_ms: number;
  readonly usage: UsageJson;
  /** `fix`: what to do about it (sign in, set a variable, start the server), when known. */
  readonly error: { readonly kind: string; readonly message: string; readonly fix?: string } | null;
  readonly primary_error: { readonly kind: string; readonly message: string; readonly fix?: string } | null;
  readonly output: string;
}

export interface IterationJson {
  readonly iteration: number;
  readonly suggestions: number;
  readonly reviews: readonly { readonly agent: string; readonly suggestions: number }[];
  readonly files_changed: readonly string[];
  readonly usage: UsageJson;
  readonly all_succeeded: boolean;
  readonly duration_ms: number;
  readonly stop: { readonly reason: string; readonly detail: string } | null;
}

export interface ResultJson {
  readonly task_id: string;
  readonly success: boolean;
  readonly status: string;
  readonly workflow: string;
  readonly iterations: number;
  readonly steps: readonly StepJson[];
  readonly final_output: string;
  readonly convergence: readonly IterationJson[];
  readonly stop_reason: string;
  readonly reason: string;
  readonly duration_ms: number;
  readonly usage: UsageJson;
}

export function usageJson(usage: Usage): UsageJson {
  return { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cost_usd: usage.costUsd ?? null };
}

function errorJson(error: AgentError | undefined): StepJson['error'] {
  return error ? { kind: error.kind, message: error.message, ...(error.fix ? { fix: error.fix } : {}) } : null;
}

export function stepJson(step: StepRecord): StepJson {
  return {
    iteration: step.iteration,
    index: step.index,
    agent: step.agent,
    role: step.role,
    success: step.success,
    fallback_from: step.fallbackFrom ?? null,
    suggestions: step.suggestions,
    files_modified: step.filesModified,
    proposed_changes: (step.proposedChanges ?? []).map((c) => ({ path: c.path, applied: c.applied, note: c.note ?? null })),
    refusals: (step.refusals ?? []).map((r) => ({ tool: r.tool, target: r.target ?? null, reason: r.reason })),
    duration_ms: step.durationMs,
    usage: usageJson(step.usage),
    error: errorJson(step.error),
    primary_error: errorJson(step.primaryError),
    output: step.output,
  };
}

export function iterationJson(iteration: IterationRecord): IterationJson {
  return {
    iteration: iteration.iteration,
    suggestions: iteration.suggestionCount,
    reviews: iteration.reviews.map((r) => ({ agent: r.agent, suggestions: r.suggestions })),
    files_changed: iteration.filesChanged,
    usage: usageJson(iteration.usage),
    all_succeeded: iteration.allSucceeded,
    duration_ms: iteration.durationMs,
    stop: iteration.stop ? { reason: iteration.stop.reason, detail: iteration.stop.detail } : null,
  };
}

export function resultJson(outcome: TaskOutcome): ResultJson {
  return {
    task_id: outcome.taskId,
    success: outcome.success,
    status: outcome.status,
    workflow: outcome.workflow,
    iterations: outcome.iterations,
    steps: outcome.steps.map(stepJson),
    final_output: outcome.finalOutput,
    convergence: outcome.convergence.map(iterationJson),
    stop_reason: outcome.stopReason,
    reason: outcome.reason,
    duration_ms: outcome.durationMs,
    usage: usageJson(outcome.usage),
  };
}
