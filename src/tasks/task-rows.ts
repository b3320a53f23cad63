/**
 * Rows of the `tasks` and `task_steps` tables back into records. Checked by hand, not with zod:
 * `tasks list` and `tasks show` read them at start-up, where loading zod costs ≈ 40 ms. The checks
 * are those of the event schemas (events.ts: the same record shapes; task-rows.test.ts holds the
 * two together): a column that does not fit is a DATABASE_ERROR naming it; a JSON column that
 * does not fit reads as its empty value, and unknown keys in it are dropped.
 */
import { FAILURE_KINDS, type FailureKind } from '../adapters/spec.js';
import type { IterationRecord, StepRecord } from '../events/events.js';
import { STOP_REASONS, type StopReason } from '../events/task-values.js';
import { ROLES, type Role } from '../shared/roles.js';
import { OrchestratorError } from '../shared/errors.js';
import { either, isInt, isNull, isNumber, isObject, isString, listOf, oneOf, rowColumns, type Check } from '../shared/value-checks.js';
import { isTaskStatus, type TaskStatus } from './task-state.js';
import type { CurrentStep, TaskRecord } from './task-store.js';

const isNonNegative: Check<number> = (value): value is number => isNumber(value) && value >= 0;
const isBoolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';

const isRole = oneOf<Role>(ROLES);
const isFailureKind = oneOf<FailureKind>(FAILURE_KINDS);
const isStopReason = oneOf<StopReason>(STOP_REASONS);
const isStatus: Check<TaskStatus> = (value): value is TaskStatus => isString(value) && isTaskStatus(value);

function readString(value: unknown): string | undefined {
  return isString(value) ? value : undefined;
}

function readUsage(value: unknown): StepRecord['usage'] | undefined {
  if (!isObject(value) || !isNonNegative(value['inputTokens']) || !isNonNegative(value['outputTokens'])) return undefined;
  const cost = value['costUsd'];
  if (cost !== undefined && !isNonNegative(cost)) return undefined;
  return { inputTokens: value['inputTokens'], outputTokens: value['outputTokens'], ...(cost !== undefined ? { costUsd: cost } : {}) };
}

type Review = IterationRecord['reviews'][number];

function readReview(value: unknown): Review | undefined {
  if (!isObject(value)) return undefined;
  const { index, agent, suggestions } = value;
  if (!isInt(index) || !isString(agent) || !isInt(suggestions) || suggestions < 0) return undefined;
  return { index, agent, suggestions };
}

function readStop(value: unknown): IterationRecord['stop'] | undefined {
  if (!isObject(value) || !isStopReason(value['reason']) || !isString(value['detail'])) return undefined;
  return { reason: value['reason'], detail: value['detail'] };
}

/** One iteration's convergence figures, as `iterationRecordSchema` reads them. */
export function readIterationRecord(value: unknown): IterationRecord | undefined {
  if (!isObject(value)) return undefined;
  const { iteration, suggestionCount, allSucceeded, durationMs } = value;
  if (!isInt(iteration) || iteration < 1 || !isInt(suggestionCount) || suggestionCount < 0) return undefined;
  if (!isBoolean(allSucceeded) || !isNonNegative(durationMs)) return undefined;
  const reviews = listOf(value['reviews'], readReview);
  const filesChanged = listOf(value['filesChanged'], readString);
  const usage = readUsage(value['usage']);
  if (!reviews || !filesChanged || !usage) return undefined;
  const stop = value['stop'] === undefined ? undefined : readStop(value['stop']);
  if (value['stop'] !== undefined && !stop) return undefined;
  return { iteration, reviews, suggestionCount, filesChanged, usage, allSucceeded, durationMs, ...(stop ? { stop } : {}) };
}

type Refusal = NonNullable<StepRecord['refusals']>[number];
type ProposedChange = NonNullable<StepRecord['proposedChanges']>[number];

/** A refused tool call, as `refusalSchema` reads it. */
export function readRefusal(value: unknown): Refusal | undefined {
  if (!isObject(value) || !isString(value['tool']) || !isString(value['reason'])) return undefined;
  const target = value['target'];
  if (target !== undefined && !isString(target)) return undefined;
  return { tool: value['tool'], ...(target !== undefined ? { target } : {}), reason: value['reason'] };
}

/** A file a local model proposed, as the step record's schema reads it. */
export function readProposedChange(value: unknown): ProposedChange | undefined {
  if (!isObject(value) || !isString(value['path']) || !isString(value['content']) || !isBoolean(value['applied'])) return undefined;
  const note = value['note'];
  if (note !== undefined && !isString(note)) return undefined;
  return { path: value['path'], content: value['content'], applied: value['applied'], ...(note !== undefined ? { note } : {}) };
}

function readCurrentStep(value: unknown): CurrentStep | undefined {
  if (!isObject(value)) return undefined;
  const { iteration, index, agent, role, startedAt } = value;
  if (!isNumber(iteration) || !isNumber(index) || !isString(agent) || !isString(role) || !isString(startedAt)) return undefined;
  return { iteration, index, agent, role, startedAt };
}

/** A JSON column read by `read`; `fallback` when it is not JSON or does not fit. */
export function jsonColumn<T>(text: string, read: (value: unknown) => T | undefined, fallback: T): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fallback;
  }
  return read(value) ?? fallback;
}

const readIterations = (value: unknown): IterationRecord[] | undefined => listOf(value, readIterationRecord);

/** The `convergence` column: the iterations' figures (empty when it does not fit). */
export function convergenceFromColumn(text: string): IterationRecord[] {
  return jsonColumn(text, readIterations, []);
}

/** The `status` column, checked as `taskFromRow` checks it. */
export function statusFromColumn(id: string, value: unknown): TaskStatus {
  if (!isStatus(value)) throw new OrchestratorError('DATABASE_ERROR', `tasks row ${id}: column status holds ${JSON.stringify(value) ?? 'nothing'}, not a task status`);
  return value;
}
const readStrings = (value: unknown): string[] | undefined => listOf(value, readString);
const readRefusals = (value: unknown): Refusal[] | undefined => listOf(value, readRefusal);
const readProposedChanges = (value: unknown): ProposedChange[] | undefined => listOf(value, readProposedChange);

const nullableString = either(isString, isNull);
const nullableNumber = either(isNumber, isNull);

export function taskFromRow(raw: unknown): TaskRecord {
  const col = rowColumns(raw, 'tasks');
  const success = col('success', nullableNumber, 'a number or NULL');
  const stopReason = col('stop_reason', either(isStopReason, isNull), 'a stop reason or NULL');
  const reason = col('reason', nullableString, 'text or NULL');
  const projectId = col('project_id', nullableString, 'text or NULL');
  const finalOutput = col('final_output', nullableString, 'text or NULL');
  const costUsd = col('cost_usd', nullableNumber, 'a number or NULL');
  const startedAt = col('started_at', nullableString, 'text or NULL');
  const heartbeatAt = col('heartbeat_at', nullableString, 'text or NULL');
  const finishedAt = col('finished_at', nullableString, 'text or NULL');
  const followUpOf = col('follow_up_of', nullableString, 'text or NULL');
  const currentStep = col('current_step', nullableString, 'text or NULL');
  const cancelRequestedAt = col('cancel_requested_at', nullableString, 'text or NULL');
  const step = currentStep ? jsonColumn<CurrentStep | null>(currentStep, (value) => (value === null ? null : readCurrentStep(value)), null) : null;
  return {
    id: col('id', isString, 'text'),
    task: col('description', isString, 'text'),
    workflow: col('workflow', isString, 'text'),
    status: col('status', isStatus, 'a task status'),
    ...(success !== null ? { success: success === 1 } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reason !== null ? { reason } : {}),
    iterations: col('iterations', isNumber, 'a number'),
    maxIterations: col('max_iterations', isNumber, 'a number'),
    cwd: col('cwd', isString, 'text'),
    ...(projectId ? { projectId } : {}),
    ...(finalOutput !== null ? { finalOutput } : {}),
    convergence: convergenceFromColumn(col('convergence', isString, 'text')),
    usage: {
      inputTokens: col('input_tokens', isNumber, 'a number'),
      outputTokens: col('output_tokens', isNumber, 'a number'),
      ...(costUsd !== null ? { costUsd } : {}),
    },
    ownerPid: col('owner_pid', isNumber, 'a number'),
    ownerHost: col('owner_host', isString, 'text'),
    createdAt: col('created_at', isString, 'text'),
    ...(startedAt ? { startedAt } : {}),
    ...(heartbeatAt ? { heartbeatAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    source: col('source', isString, 'text'),
    ...(followUpOf ? { followUpOf } : {}),
    ...(step ? { currentStep: step } : {}),
    ...(cancelRequestedAt ? { cancelRequestedAt } : {}),
  };
}

export function stepFromRow(raw: unknown): StepRecord {
  const col = rowColumns(raw, 'task_steps');
  const errorKind = col('error_kind', either(isFailureKind, isNull), 'a failure kind or NULL');
  const errorMessage = col('error_message', nullableString, 'text or NULL');
  const fallbackFrom = col('fallback_from', nullableString, 'text or NULL');
  const primaryErrorKind = col('primary_error_kind', either(isFailureKind, isNull), 'a failure kind or NULL');
  const primaryErrorMessage = col('primary_error_message', nullableString, 'text or NULL');
  const optionalText = either(nullableString, (value): value is undefined => value === undefined);
  const refusals = col('refusals', optionalText, 'text or NULL');
  const proposedChanges = col('proposed_changes', optionalText, 'text or NULL');
  const errorFix = col('error_fix', optionalText, 'text or NULL');
  const costUsd = col('cost_usd', nullableNumber, 'a number or NULL');
  return {
    iteration: col('iteration', isNumber, 'a number'),
    index: col('step_index', isNumber, 'a number'),
    agent: col('agent', isString, 'text'),
    role: col('role', isRole, 'a role'),
    success: col('success', isNumber, 'a number') === 1,
    output: col('output', isString, 'text'),
    ...(errorKind ? { error: { kind: errorKind, message: errorMessage ?? '', ...(errorFix ? { fix: errorFix } : {}) } } : {}),
    ...(fallbackFrom ? { fallbackFrom } : {}),
    ...(primaryErrorKind ? { primaryError: { kind: primaryErrorKind, message: primaryErrorMessage ?? '' } } : {}),
    suggestions: jsonColumn(col('suggestions', isString, 'text'), readStrings, []),
    filesModified: jsonColumn(col('files_modified', isString, 'text'), readStrings, []),
    ...(refusals ? { refusals: jsonColumn(refusals, readRefusals, []) } : {}),
    ...(proposedChanges ? { proposedChanges: jsonColumn(proposedChanges, readProposedChanges, []) } : {}),
    durationMs: col('duration_ms', isNumber, 'a number'),
    usage: {
      inputTokens: col('input_tokens', isNumber, 'a number'),
      outputTokens: col('output_tokens', isNumber, 'a number'),
      ...(costUsd !== null ? { costUsd } : {}),
    },
    startedAt: col('started_at', isString, 'text'),
    finishedAt: col('finished_at', isString, 'text'),
  };
}
