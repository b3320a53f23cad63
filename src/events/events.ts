/**
 * The one event union of a task's life. The engine publishes these on an EventBus; the CLI
 * renderer, the task store, and later the web UI, the MCP server, metrics and memory subscribe.
 * Every event carries `taskId` and an ISO `timestamp`. Payloads are plain JSON (camelCase), so
 * they can cross a process boundary (SSE, MCP notifications) and be checked there with
 * `orchestratorEventSchema.safeParse`.
 */
import { z } from 'zod';
import { FAILURE_KINDS, type AgentEvent } from '../adapters/spec.js';
import { ROLES } from '../shared/roles.js';
import { EventBus } from './bus.js';
import { STOP_REASONS, TASK_STATUSES } from './task-values.js';

export { STOP_REASONS, TASK_STATUSES, type StopReason, type TaskStatus } from './task-values.js';

export const agentErrorSchema = z.object({
  kind: z.enum(FAILURE_KINDS),
  message: z.string(),
  retryAfterSeconds: z.number().optional(),
  /** What a person does about it: the sign-in command, the variable to set, the server to start. */
  fix: z.string().optional(),
});

export const usageSchema = z.object({
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  costUsd: z.number().nonnegative().optional(),
});

/** The adapter stream (src/adapters/spec.ts AgentEvent) as a schema, for events that cross a boundary. */
export const agentEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), pid: z.number().optional(), detail: z.string().optional() }),
  z.object({ type: z.literal('text-delta'), text: z.string() }),
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool-call'), name: z.string(), id: z.string().optional(), input: z.unknown().optional() }),
  z.object({ type: z.literal('tool-result'), id: z.string().optional(), ok: z.boolean(), output: z.string().optional() }),
  z.object({ type: z.literal('file-change'), path: z.string(), kind: z.enum(['add', 'update', 'delete']) }),
  z.object({
    type: z.literal('refusal'),
    tool: z.string(),
    id: z.string().optional(),
    target: z.string().optional(),
    reason: z.string(),
  }),
  z.object({
    type: z.literal('proposed-change'),
    path: z.string(),
    content: z.string(),
    applied: z.boolean(),
    note: z.string().optional(),
  }),
  z.object({ type: z.literal('usage'), usage: usageSchema }),
  z.object({ type: z.literal('session'), sessionId: z.string() }),
  z.object({ type: z.literal('error'), error: agentErrorSchema }),
  z.object({
    type: z.literal('finish'),
    success: z.boolean(),
    output: z.string().optional(),
    error: agentErrorSchema.optional(),
  }),
]);

const role = z.enum(ROLES);

/** A tool call the agent's CLI refused: what it was, what it aimed at, why it was refused. */
export const refusalSchema = z.object({ tool: z.string(), target: z.string().optional(), reason: z.string() });

/** One step as it ended: what ran, what it said, what it changed, what it cost. Stored per task. */
export const stepRecordSchema = z.object({
  iteration: z.number().int().min(1),
  /** Position of the step in the workflow (0-based). */
  index: z.number().int().min(0),
  /** The agent that produced this result (the fallback agent when the primary failed). */
  agent: z.string(),
  role,
  success: z.boolean(),
  /** The answer, redacted. */
  output: z.string(),
  error: agentErrorSchema.optional(),
  /** Set when the primary agent failed with a transient kind and `agent` is its fallback. */
  fallbackFrom: z.string().optional(),
  /** The primary agent's failure when a fallback ran. */
  primaryError: agentErrorSchema.optional(),
  suggestions: z.array(z.string()),
  filesModified: z.array(z.string()),
  /** Files a text-only (local) agent proposed in fenced blocks; `applied` = written (apply_local_edits). */
  proposedChanges: z
    .array(z.object({ path: z.string(), content: z.string(), applied: z.boolean(), note: z.string().optional() }))
    .optional(),
  /** Tool calls the CLI refused during the step (absent when none were). */
  refusals: z.array(refusalSchema).optional(),
  durationMs: z.number().nonnegative(),
  usage: usageSchema,
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

export const stopDecisionSchema = z.object({ reason: z.enum(STOP_REASONS), detail: z.string() });
export type StopDecision = z.infer<typeof stopDecisionSchema>;

/** One iteration's convergence figures: the history that shows whether reviews are converging. */
export const iterationRecordSchema = z.object({
  iteration: z.number().int().min(1),
  /** Suggestions per review step, in step order. */
  reviews: z.array(z.object({ index: z.number().int(), agent: z.string(), suggestions: z.number().int().min(0) })),
  /** Sum over the reviews (the figure the plateau rule compares). */
  suggestionCount: z.number().int().min(0),
  filesChanged: z.array(z.string()),
  usage: usageSchema,
  allSucceeded: z.boolean(),
  durationMs: z.number().nonnegative(),
  /** Present on the last iteration: why the engine stopped. */
  stop: stopDecisionSchema.optional(),
});
export type IterationRecord = z.infer<typeof iterationRecordSchema>;

const plannedStep = z.object({ agent: z.string(), role, fallback: z.string().optional() });
const skippedStep = z.object({ agent: z.string(), role, reason: z.string() });

const base = { taskId: z.string().min(1), timestamp: z.string() };
const stepPosition = { iteration: z.number().int().min(1), index: z.number().int().min(0), agent: z.string() };

/** The plan a task runs, as published when it is known (a dynamic plan too) and stored. */
export const planSummarySchema = z.object({
  workflow: z.string(),
  steps: z.array(plannedStep.extend({ description: z.string().optional(), unavailable: z.string().optional() })),
  skipped: z.array(skippedStep),
  maxIterations: z.number().int().min(1),
  offline: z.boolean(),
  /** For a dynamic plan: who planned it (or that the fallback plan is used), with notes. */
  origin: z
    .object({
      source: z.enum(['workflow', 'planner', 'fallback']),
      planner: z.string().optional(),
      notes: z.array(z.string()),
      excluded: z.array(z.object({ agent: z.string(), reason: z.string() })),
    })
    .optional(),
});
export type PlanSummary = z.infer<typeof planSummarySchema>;

export const orchestratorEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('task.created'),
    ...base,
    /** What the user asked, as typed (a follow-up's composed prompt is not stored here). */
    task: z.string(),
    /** The workflow asked for (`dynamic` until planned). */
    workflow: z.string(),
    cwd: z.string(),
    /** Where it was submitted from: cli, shell, api, mcp, … */
    source: z.string(),
    followUpOf: z.string().optional(),
  }),
  z.object({
    type: z.literal('task.queued'),
    ...base,
    /** The task it waits for: the one on the same working tree, or (capacity) the oldest one running. */
    waitingFor: z.string(),
    cwd: z.string(),
    /** Why: its working tree is in use (default), or the process runs settings.max_parallel_tasks already. */
    reason: z.enum(['working_tree', 'capacity']).optional(),
  }),
  z.object({ type: z.literal('task.planned'), ...base, plan: planSummarySchema }),
  z.object({
    type: z.literal('task.assigned'),
    ...base,
    /** A queue worker took the task's job: its name, machine and which attempt this is (1 = the first). */
    worker: z.string(),
    host: z.string(),
    attempt: z.number().int().min(1),
    /** A resumed task: where it continues (step records from there on are dropped). */
    iteration: z.number().int().min(1).optional(),
    index: z.number().int().min(0).optional(),
  }),
  z.object({
    type: z.literal('task.takeover'),
    ...base,
    /** Another queue worker took over a task whose worker went silent (killed, cut off) or handed it back. */
    worker: z.string(),
    host: z.string(),
    attempt: z.number().int().min(1),
    previousWorker: z.string().optional(),
    /** Where the run continues (the steps before are kept, the tree is the checkpoint before it). */
    iteration: z.number().int().min(1),
    index: z.number().int().min(0),
    keptSteps: z.number().int().min(0),
    /** The checkpoint the working tree was restored from (none: the task starts from its base). */
    checkpoint: z.string().optional(),
  }),
  z.object({
    type: z.literal('task.resumed'),
    ...base,
    previousStatus: z.enum(TASK_STATUSES),
    /** Where the run continues. */
    iteration: z.number().int().min(1),
    index: z.number().int().min(0),
    /** Steps kept from before. */
    keptSteps: z.number().int().min(0),
    maxIterations: z.number().int().min(1),
  }),
  z.object({
    type: z.literal('agent.started'),
    ...base,
    agent: z.string(),
    /** Absent for the dynamic planner's call, which runs before the iterations. */
    iteration: z.number().int().min(1).optional(),
    index: z.number().int().min(0).optional(),
    pid: z.number().int(),
  }),
  z.object({
    type: z.literal('agent.retrying'),
    ...base,
    agent: z.string(),
    iteration: z.number().int().min(1).optional(),
    index: z.number().int().min(0).optional(),
    /** The attempt that failed (1-based) and how many the policy allows. */
    attempt: z.number().int().min(1),
    maxAttempts: z.number().int().min(1),
    delayMs: z.number().nonnegative(),
    error: agentErrorSchema,
  }),
  z.object({
    type: z.literal('circuit.changed'),
    ...base,
    agent: z.string(),
    from: z.enum(['closed', 'open', 'half_open']),
    to: z.enum(['closed', 'open', 'half_open']),
    consecutiveFailures: z.number().int().min(0),
    openUntil: z.string().optional(),
  }),
  z.object({
    type: z.literal('step.activity'),
    ...base,
    ...stepPosition,
    /** One line: the tool being called or the file being edited — never the whole output. */
    activity: z.string(),
  }),
  z.object({ type: z.literal('agent.stderr'), ...base, ...stepPosition, line: z.string() }),
  z.object({
    type: z.literal('workspace.notice'),
    ...base,
    /** One line for the user about where the task works (its worktree, checkpoints, git). */
    message: z.string(),
  }),
  z.object({
    type: z.literal('workspace.checkpoint'),
    ...base,
    /** `step`: the working tree before that step ran; `end`: when the task ended. */
    kind: z.enum(['step', 'end']),
    iteration: z.number().int().min(1).optional(),
    index: z.number().int().min(0).optional(),
    /** The checkpoint commit and the private ref that keeps it. */
    commit: z.string(),
    ref: z.string(),
  }),
  z.object({
    type: z.literal('workspace.result'),
    ...base,
    /** Where a queued task's changes went: pushed to its repository, or a git bundle kept with the task. */
    delivery: z.enum(['pushed', 'bundle', 'none']),
    /** The repository the task named (URL or path). */
    repo: z.string(),
    branch: z.string(),
    baseCommit: z.string(),
    /** The branch tip (absent with delivery `none`: nothing changed). */
    commit: z.string().optional(),
    /** Why it was not pushed (delivery `bundle`). */
    reason: z.string().optional(),
  }),
  z.object({
    type: z.literal('task.started'),
    ...base,
    task: z.string(),
    workflow: z.string(),
    maxIterations: z.number().int().min(1),
    cwd: z.string(),
    projectId: z.string().optional(),
    steps: z.array(plannedStep),
    /** Steps left out before the run (disabled, unavailable, offline) and why. */
    skipped: z.array(skippedStep),
  }),
  z.object({
    type: z.literal('step.started'),
    ...base,
    iteration: z.number().int().min(1),
    index: z.number().int().min(0),
    stepCount: z.number().int().min(1),
    agent: z.string(),
    role,
    /** Set when this start is the fallback for a failed primary. */
    fallbackFrom: z.string().optional(),
    primaryError: agentErrorSchema.optional(),
  }),
  z.object({
    type: z.literal('step.output'),
    ...base,
    iteration: z.number().int().min(1),
    index: z.number().int().min(0),
    agent: z.string(),
    /** The adapter's event as it arrived (texts redacted). */
    event: agentEventSchema,
  }),
  z.object({ type: z.literal('step.finished'), ...base, step: stepRecordSchema }),
  z.object({ type: z.literal('iteration.finished'), ...base, iteration: iterationRecordSchema }),
  z.object({
    type: z.literal('task.finished'),
    ...base,
    status: z.enum(TASK_STATUSES),
    success: z.boolean(),
    stopReason: z.enum(STOP_REASONS),
    /** One line a person can read: why the task ended the way it did. */
    reason: z.string(),
    iterations: z.number().int().min(0),
    finalOutput: z.string(),
    durationMs: z.number().nonnegative(),
    usage: usageSchema,
  }),
]);

export type OrchestratorEvent = z.infer<typeof orchestratorEventSchema>;
export type OrchestratorEventType = OrchestratorEvent['type'];
export type EventOf<K extends OrchestratorEventType> = Extract<OrchestratorEvent, { type: K }>;

/** The bus every producer and consumer of task events shares. */
export type OrchestratorBus = EventBus<OrchestratorEvent>;

export function createOrchestratorBus(options: { onListenerError?: (error: unknown) => void } = {}): OrchestratorBus {
  return new EventBus<OrchestratorEvent>(options);
}

// Every event an adapter can emit must be describable by the schema: the build fails if the
// spec grows a variant the schema does not know.
type Covers<Spec, Schema> = [Spec] extends [Schema] ? true : false;
const schemaCoversAgentEvents: Covers<AgentEvent, z.infer<typeof agentEventSchema>> = true;
void schemaCoversAgentEvents;

/** An event as stored in a task's log: its place in the task's sequence (1, 2, 3, … per task). */
export interface StoredEvent {
  readonly seq: number;
  readonly event: OrchestratorEvent;
}

/** The events after which a task's log gets nothing more from its run. */
export function isFinalEvent(event: OrchestratorEvent): boolean {
  return event.type === 'task.finished';
}
