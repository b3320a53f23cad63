/**
 * Tasks and their steps in the one SQLite database. Each step is written the moment it ends, so
 * a killed process loses nothing already done. A task remembers the process that owns it (pid,
 * host, heartbeat); `markInterrupted` — run whenever a command opens the store — turns unfinished
 * tasks whose owner is gone into `interrupted`.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import {
  STOP_REASONS,
  agentErrorSchema,
  iterationRecordSchema,
  refusalSchema,
  stepRecordSchema,
  type IterationRecord,
  type StepRecord,
  type StopReason,
} from '../events/events.js';
import type { Usage } from '../adapters/spec.js';
import { createRedactor, type Redactor } from '../security/redact.js';
import { ROLES } from '../shared/roles.js';
import { OrchestratorError } from '../shared/errors.js';
import { migrate, type Db } from '../storage/database.js';
import { killEscapedDescendants, killOrphanedAgent, processStartTime } from './agent-process.js';
import { TASK_MIGRATIONS } from './migrations.js';
import { canMove, isTaskStatus, type TaskStatus } from './task-state.js';

export interface TaskRecord {
  readonly id: string;
  readonly task: string;
  readonly workflow: string;
  readonly status: TaskStatus;
  readonly success?: boolean;
  readonly stopReason?: StopReason;
  readonly reason?: string;
  readonly iterations: number;
  readonly maxIterations: number;
  readonly cwd: string;
  readonly projectId?: string;
  readonly finalOutput?: string;
  readonly convergence: readonly IterationRecord[];
  readonly usage: Usage;
  readonly ownerPid: number;
  readonly ownerHost: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly heartbeatAt?: string;
  readonly finishedAt?: string;
  /** Where it was submitted from (cli, shell, api, mcp, …). */
  readonly source: string;
  /** The task this one follows up (a shell follow-up, the UI's "follow-up" box). */
  readonly followUpOf?: string;
  /** The step running now, while the task runs. */
  readonly currentStep?: CurrentStep;
  readonly cancelRequestedAt?: string;
}

export interface CurrentStep {
  readonly iteration: number;
  readonly index: number;
  readonly agent: string;
  readonly role: string;
  readonly startedAt: string;
}

export interface NewTask {
  /** What the user typed. */
  readonly task: string;
  readonly workflow: string;
  readonly maxIterations: number;
  readonly cwd: string;
  readonly projectId?: string;
  readonly source?: string;
  readonly followUpOf?: string;
  /** The task text the agents get when it differs from `task` (a follow-up's composed prompt). */
  readonly promptTask?: string;
  /** US dollars the task may spend (kept for resume). */
  readonly budgetUsd?: number;
  /** The task's id when it has one already (a queue worker's copy of a coordinator's task). */
  readonly id?: string;
  /** Who runs it when not this process: `queue:<name>` for a task handed to a job queue (queueOwner). */
  readonly ownerHost?: string;
}

/** What a resumed run needs beyond the stored steps and convergence. */
export interface ResumeInputs {
  readonly promptTask: string;
  readonly memoryBlock?: string;
  readonly budgetUsd?: number;
}

export interface TaskEnd {
  readonly status: Extract<TaskStatus, 'completed' | 'failed' | 'cancelled'>;
  readonly success: boolean;
  readonly stopReason: StopReason;
  readonly reason: string;
  readonly iterations: number;
  readonly finalOutput: string;
  readonly usage: Usage;
}

export interface ListOptions {
  readonly status?: TaskStatus;
  readonly limit?: number;
}

export interface TaskStoreOptions {
  readonly now?: () => Date;
  readonly pid?: number;
  readonly host?: string;
  /** Whether a pid is alive on this host (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
  /** A live owner whose heartbeat is older than this is taken as gone (its pid was reused). */
  readonly staleAfterMs?: number;
  /** Applied to the task text and the final output before they are stored (default: shapes + our env). */
  readonly redact?: Redactor;
}

export interface TaskStore {
  /** Stores a new task, `queued` until it gets its working tree. */
  create(task: NewTask): TaskRecord;
  /**
   * Takes the task's working tree if no other task is running there (nor queued before it):
   * moves it queued → pending and returns undefined; otherwise returns the id it waits for.
   * Atomic across processes (one immediate transaction).
   */
  claimWorkingTree(id: string): string | undefined;
  /** A queue worker took the task: queued → pending (the worker claims its own tree). */
  assign(id: string): void;
  /**
   * Another queue worker takes the task over: back to pending, step records at or after the
   * position where it continues dropped (the earlier worker's unfinished step).
   */
  takeOver(id: string, iteration: number, index: number): void;
  /** The plan is known: its workflow name and iterations. */
  setPlan(id: string, workflow: string, maxIterations: number): void;
  start(id: string): void;
  /** A stopped task runs again: back to queued, owned by this process (or `ownerHost`), end fields cleared. */
  reopen(id: string, ownerHost?: string): void;
  setCurrentStep(id: string, step: CurrentStep | undefined): void;
  /** Asks the process that owns the task to cancel it; false when the task is not running. */
  requestCancel(id: string): boolean;
  /** Of these ids, those whose cancel another process asked for. */
  cancelRequested(ids: readonly string[]): string[];
  setMemoryBlock(id: string, block: string): void;
  setProject(id: string, projectId: string): void;
  /** The task works elsewhere than it was started (its own worktree): queueing follows it there. */
  setCwd(id: string, cwd: string): void;
  /** The agent process group the task runs now, as recorded (pid and its kernel start time). */
  agentProcess(id: string): { readonly pid: number; readonly startTime: string } | undefined;
  resumeInputs(id: string): ResumeInputs | undefined;
  /** Drops step records at or after a position (a resumed run redoes them). */
  dropStepsFrom(id: string, iteration: number, index: number): void;
  heartbeat(id: string): void;
  recordStep(id: string, step: StepRecord): void;
  recordIteration(id: string, iteration: IterationRecord): void;
  /** The agent process group now running for the task (undefined: none). */
  recordAgentProcess(id: string, pid: number | undefined): void;
  finish(id: string, end: TaskEnd): void;
  get(id: string): TaskRecord | undefined;
  /** Finds by full id or a unique prefix; TASK_NOT_FOUND otherwise. */
  resolve(idOrPrefix: string): TaskRecord;
  steps(id: string): StepRecord[];
  list(options?: ListOptions): TaskRecord[];
  /** Deletes finished tasks (and their steps) created before `before`; returns how many. */
  clean(before: Date): number;
  /** The same, returning the deleted tasks' ids (what else refers to them can go too). */
  deleteFinishedBefore(before: Date): string[];
  /**
   * Marks unfinished tasks of dead owners as interrupted, killing the agent group such a task
   * left running (when it is provably the same process); returns their ids.
   */
  markInterrupted(): string[];
}

/**
 * The owner of a task handed to a job queue: workers on other machines run it, so no pid on this
 * host says whether it lives — it is never marked interrupted from here, its agents' pids are not
 * ours to record or signal, and it holds no working tree here.
 */
export function queueOwner(queueName: string): string {
  return `queue:${queueName}`;
}

export function isQueueOwned(task: Pick<TaskRecord, 'ownerHost'>): boolean {
  return task.ownerHost.startsWith('queue:');
}

/** Ten heartbeats missed (the run command beats every 30 s). */
export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const taskRow = z.object({
  id: z.string(),
  description: z.string(),
  workflow: z.string(),
  status: z.string().refine(isTaskStatus),
  success: z.number().nullable(),
  stop_reason: z.enum(STOP_REASONS).nullable(),
  reason: z.string().nullable(),
  iterations: z.number(),
  max_iterations: z.number(),
  cwd: z.string(),
  project_id: z.string().nullable(),
  final_output: z.string().nullable(),
  convergence: z.string(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number().nullable(),
  owner_pid: z.number(),
  owner_host: z.string(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  heartbeat_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  source: z.string(),
  follow_up_of: z.string().nullable(),
  current_step: z.string().nullable(),
  cancel_requested_at: z.string().nullable(),
});

const currentStepSchema = z.object({
  iteration: z.number(),
  index: z.number(),
  agent: z.string(),
  role: z.string(),
  startedAt: z.string(),
});

const stepRow = z.object({
  iteration: z.number(),
  step_index: z.number(),
  agent: z.string(),
  role: z.enum(ROLES),
  success: z.number(),
  output: z.string(),
  error_kind: agentErrorSchema.shape.kind.nullable(),
  error_message: z.string().nullable(),
  fallback_from: z.string().nullable(),
  primary_error_kind: agentErrorSchema.shape.kind.nullable(),
  primary_error_message: z.string().nullable(),
  suggestions: z.string(),
  files_modified: z.string(),
  refusals: z.string().nullable().optional(),
  proposed_changes: z.string().nullable().optional(),
  error_fix: z.string().nullable().optional(),
  duration_ms: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number().nullable(),
  started_at: z.string(),
  finished_at: z.string(),
});

const stringList = z.array(z.string());
const refusalList = z.array(refusalSchema);
const proposalList = stepRecordSchema.shape.proposedChanges.unwrap();
const convergenceList = z.array(iterationRecordSchema);

function parseJson<T>(schema: z.ZodType<T>, text: string, fallback: T): T {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

function toTask(raw: unknown): TaskRecord {
  const row = taskRow.parse(raw);
  return {
    id: row.id,
    task: row.description,
    workflow: row.workflow,
    status: row.status,
    ...(row.success !== null ? { success: row.success === 1 } : {}),
    ...(row.stop_reason ? { stopReason: row.stop_reason } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
    iterations: row.iterations,
    maxIterations: row.max_iterations,
    cwd: row.cwd,
    ...(row.project_id ? { projectId: row.project_id } : {}),
    ...(row.final_output !== null ? { finalOutput: row.final_output } : {}),
    convergence: parseJson(convergenceList, row.convergence, []),
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      ...(row.cost_usd !== null ? { costUsd: row.cost_usd } : {}),
    },
    ownerPid: row.owner_pid,
    ownerHost: row.owner_host,
    createdAt: row.created_at,
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.heartbeat_at ? { heartbeatAt: row.heartbeat_at } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    source: row.source,
    ...(row.follow_up_of ? { followUpOf: row.follow_up_of } : {}),
    ...(row.current_step ? currentStepOf(row.current_step) : {}),
    ...(row.cancel_requested_at ? { cancelRequestedAt: row.cancel_requested_at } : {}),
  };
}

function currentStepOf(text: string): { currentStep?: CurrentStep } {
  const step = parseJson(currentStepSchema.nullable(), text, null);
  return step ? { currentStep: step } : {};
}

function toStep(raw: unknown): StepRecord {
  const row = stepRow.parse(raw);
  return {
    iteration: row.iteration,
    index: row.step_index,
    agent: row.agent,
    role: row.role,
    success: row.success === 1,
    output: row.output,
    ...(row.error_kind ? { error: { kind: row.error_kind, message: row.error_message ?? '', ...(row.error_fix ? { fix: row.error_fix } : {}) } } : {}),
    ...(row.fallback_from ? { fallbackFrom: row.fallback_from } : {}),
    ...(row.primary_error_kind ? { primaryError: { kind: row.primary_error_kind, message: row.primary_error_message ?? '' } } : {}),
    suggestions: parseJson(stringList, row.suggestions, []),
    filesModified: parseJson(stringList, row.files_modified, []),
    ...(row.refusals ? { refusals: parseJson(refusalList, row.refusals, []) } : {}),
    ...(row.proposed_changes ? { proposedChanges: parseJson(proposalList, row.proposed_changes, []) } : {}),
    durationMs: row.duration_ms,
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      ...(row.cost_usd !== null ? { costUsd: row.cost_usd } : {}),
    },
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function createTaskStore(db: Db, options: TaskStoreOptions = {}): TaskStore {
  migrate(db, TASK_MIGRATIONS);
  const now = options.now ?? (() => new Date());
  const pid = options.pid ?? process.pid;
  const host = options.host ?? os.hostname();
  const isAlive = options.isAlive ?? isProcessAlive;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const redact = options.redact ?? createRedactor();
  const stamp = (): string => now().toISOString();

  const getRow = db.prepare('SELECT * FROM tasks WHERE id = ?');
  const statusOf = (id: string): TaskStatus => {
    const task = get(id);
    if (!task) throw new OrchestratorError('TASK_NOT_FOUND', `task ${id} not found`);
    return task.status;
  };
  const move = (id: string, to: TaskStatus): void => {
    const from = statusOf(id);
    if (!canMove(from, to)) throw new OrchestratorError('INVALID_INPUT', `task ${id} cannot go from ${from} to ${to}`);
  };

  function get(id: string): TaskRecord | undefined {
    const row: unknown = getRow.get(id);
    return row ? toTask(row) : undefined;
  }

  const insertStep = db.prepare(`
    INSERT OR REPLACE INTO task_steps (task_id, iteration, step_index, agent, role, success, output, error_kind,
      error_message, fallback_from, primary_error_kind, primary_error_message, suggestions, files_modified,
      refusals, proposed_changes, error_fix, duration_ms, input_tokens, output_tokens, cost_usd, started_at, finished_at)
    VALUES (@task_id, @iteration, @step_index, @agent, @role, @success, @output, @error_kind, @error_message,
      @fallback_from, @primary_error_kind, @primary_error_message, @suggestions, @files_modified, @refusals, @proposed_changes,
      @error_fix, @duration_ms, @input_tokens, @output_tokens, @cost_usd, @started_at, @finished_at)`);

  const deleteFinishedBefore = (before: Date): string[] =>
    db
      .prepare<[string], { id: string }>("DELETE FROM tasks WHERE created_at < ? AND status NOT IN ('queued', 'pending', 'in_progress') RETURNING id")
      .all(before.toISOString())
      .map((row) => row.id);

  return {
    create(task) {
      const id = task.id ?? randomUUID();
      const at = stamp();
      db.prepare(
        `INSERT INTO tasks (id, description, workflow, status, max_iterations, cwd, project_id, owner_pid, owner_host, created_at,
           heartbeat_at, source, follow_up_of, prompt_task)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        redact(task.task),
        task.workflow,
        task.maxIterations,
        task.cwd,
        task.projectId ?? null,
        pid,
        task.ownerHost ?? host,
        at,
        at,
        task.source ?? 'cli',
        task.followUpOf ?? null,
        task.promptTask !== undefined && task.promptTask !== task.task ? redact(task.promptTask) : null,
      );
      if (task.budgetUsd !== undefined) db.prepare('UPDATE tasks SET budget_usd = ? WHERE id = ?').run(task.budgetUsd, id);
      const created = get(id);
      if (!created) throw new OrchestratorError('DATABASE_ERROR', `task ${id} was not stored`);
      return created;
    },
    claimWorkingTree(id) {
      return db.transaction((): string | undefined => {
        const own = db.prepare<[string], { cwd: string; rowid: number; status: string }>('SELECT cwd, rowid, status FROM tasks WHERE id = ?').get(id);
        if (!own) throw new OrchestratorError('TASK_NOT_FOUND', `task ${id} not found`);
        if (own.status !== 'queued') throw new OrchestratorError('INVALID_INPUT', `task ${id} is ${own.status}, not queued`);
        const blocker = db
          .prepare<[string, string, number], { id: string }>(
            `SELECT id FROM tasks WHERE cwd = ? AND id != ? AND (status IN ('pending', 'in_progress') OR (status = 'queued' AND rowid < ?))
               AND owner_host NOT LIKE 'queue:%' ORDER BY rowid LIMIT 1`,
          )
          .get(own.cwd, id, own.rowid);
        if (blocker) return blocker.id;
        db.prepare("UPDATE tasks SET status = 'pending', heartbeat_at = ? WHERE id = ?").run(stamp(), id);
        return undefined;
      }).immediate();
    },
    assign(id) {
      db.prepare("UPDATE tasks SET status = 'pending', heartbeat_at = ? WHERE id = ? AND status = 'queued'").run(stamp(), id);
    },
    takeOver(id, iteration, index) {
      db.transaction(() => {
        db.prepare(
          "UPDATE tasks SET status = 'pending', heartbeat_at = ?, current_step = NULL, agent_pid = NULL, agent_start_time = NULL WHERE id = ? AND status IN ('queued', 'pending', 'in_progress')",
        ).run(stamp(), id);
        db.prepare('DELETE FROM task_steps WHERE task_id = ? AND (iteration > ? OR (iteration = ? AND step_index >= ?))').run(id, iteration, iteration, index);
      })();
    },
    setPlan(id, workflow, maxIterations) {
      db.prepare('UPDATE tasks SET workflow = ?, max_iterations = ? WHERE id = ?').run(workflow, maxIterations, id);
    },
    reopen(id, ownerHost) {
      move(id, 'queued');
      db.prepare(
        `UPDATE tasks SET status = 'queued', success = NULL, stop_reason = NULL, reason = NULL, final_output = NULL, finished_at = NULL,
           owner_pid = ?, owner_host = ?, heartbeat_at = ?, cancel_requested_at = NULL, current_step = NULL WHERE id = ?`,
      ).run(pid, ownerHost ?? host, stamp(), id);
    },
    setCurrentStep(id, step) {
      db.prepare('UPDATE tasks SET current_step = ? WHERE id = ?').run(step ? JSON.stringify(step) : null, id);
    },
    requestCancel(id) {
      const result = db
        .prepare(
          "UPDATE tasks SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ? AND status IN ('queued', 'pending', 'in_progress')",
        )
        .run(stamp(), id);
      return result.changes > 0;
    },
    cancelRequested(ids) {
      if (ids.length === 0) return [];
      const rows = db
        .prepare<string[], { id: string }>(`SELECT id FROM tasks WHERE cancel_requested_at IS NOT NULL AND id IN (${ids.map(() => '?').join(', ')})`)
        .all(...ids);
      return rows.map((row) => row.id);
    },
    setProject(id, projectId) {
      db.prepare('UPDATE tasks SET project_id = ? WHERE id = ?').run(projectId, id);
    },
    setCwd(id, cwd) {
      db.prepare('UPDATE tasks SET cwd = ? WHERE id = ?').run(cwd, id);
    },
    agentProcess(id) {
      const row = db
        .prepare<[string], { agent_pid: number | null; agent_start_time: string | null }>('SELECT agent_pid, agent_start_time FROM tasks WHERE id = ?')
        .get(id);
      return row?.agent_pid && row.agent_start_time ? { pid: row.agent_pid, startTime: row.agent_start_time } : undefined;
    },
    setMemoryBlock(id, block) {
      db.prepare('UPDATE tasks SET memory_block = ? WHERE id = ?').run(block, id);
    },
    resumeInputs(id) {
      const row = db
        .prepare<[string], { description: string; prompt_task: string | null; memory_block: string | null; budget_usd: number | null }>(
          'SELECT description, prompt_task, memory_block, budget_usd FROM tasks WHERE id = ?',
        )
        .get(id);
      if (!row) return undefined;
      return {
        promptTask: row.prompt_task ?? row.description,
        ...(row.memory_block !== null ? { memoryBlock: row.memory_block } : {}),
        ...(row.budget_usd !== null ? { budgetUsd: row.budget_usd } : {}),
      };
    },
    dropStepsFrom(id, iteration, index) {
      db.prepare('DELETE FROM task_steps WHERE task_id = ? AND (iteration > ? OR (iteration = ? AND step_index >= ?))').run(id, iteration, iteration, index);
      const task = get(id);
      if (!task) return;
      const kept = task.convergence.filter((c) => c.iteration < iteration);
      db.prepare('UPDATE tasks SET convergence = ? WHERE id = ?').run(JSON.stringify(kept), id);
    },
    start(id) {
      move(id, 'in_progress');
      const at = stamp();
      db.prepare("UPDATE tasks SET status = 'in_progress', started_at = ?, heartbeat_at = ? WHERE id = ?").run(at, at, id);
    },
    heartbeat(id) {
      db.prepare('UPDATE tasks SET heartbeat_at = ? WHERE id = ?').run(stamp(), id);
    },
    recordStep(id, step) {
      db.transaction(() => {
        db.prepare('UPDATE tasks SET current_step = NULL WHERE id = ?').run(id);
        insertStep.run({
          task_id: id,
          iteration: step.iteration,
          step_index: step.index,
          agent: step.agent,
          role: step.role,
          success: step.success ? 1 : 0,
          output: step.output,
          error_kind: step.error?.kind ?? null,
          error_message: step.error?.message ?? null,
          fallback_from: step.fallbackFrom ?? null,
          primary_error_kind: step.primaryError?.kind ?? null,
          primary_error_message: step.primaryError?.message ?? null,
          suggestions: JSON.stringify(step.suggestions),
          files_modified: JSON.stringify(step.filesModified),
          refusals: step.refusals && step.refusals.length > 0 ? JSON.stringify(step.refusals) : null,
          proposed_changes: step.proposedChanges && step.proposedChanges.length > 0 ? JSON.stringify(step.proposedChanges) : null,
          error_fix: step.error?.fix ?? null,
          duration_ms: step.durationMs,
          input_tokens: step.usage.inputTokens,
          output_tokens: step.usage.outputTokens,
          cost_usd: step.usage.costUsd ?? null,
          started_at: step.startedAt,
          finished_at: step.finishedAt,
        });
        db.prepare(
          `UPDATE tasks SET heartbeat_at = ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
             cost_usd = CASE WHEN ? IS NULL THEN cost_usd ELSE COALESCE(cost_usd, 0) + ? END WHERE id = ?`,
        ).run(stamp(), step.usage.inputTokens, step.usage.outputTokens, step.usage.costUsd ?? null, step.usage.costUsd ?? null, id);
      })();
    },
    recordIteration(id, iteration) {
      const task = get(id);
      if (!task) return;
      const convergence = [...task.convergence.filter((c) => c.iteration !== iteration.iteration), iteration];
      db.prepare('UPDATE tasks SET convergence = ?, iterations = ?, heartbeat_at = ? WHERE id = ?').run(
        JSON.stringify(convergence),
        Math.max(task.iterations, iteration.iteration),
        stamp(),
        id,
      );
    },
    recordAgentProcess(id, agentPid) {
      // A pid names a process only on the machine that started it: a task run elsewhere (a queue
      // worker) records none, so no cancel here ever signals an unrelated local process.
      const startTime = agentPid === undefined ? undefined : processStartTime(agentPid);
      db.prepare('UPDATE tasks SET agent_pid = ?, agent_start_time = ? WHERE id = ? AND owner_host = ?').run(
        startTime === undefined ? null : (agentPid ?? null),
        startTime ?? null,
        id,
        host,
      );
    },
    finish(id, end) {
      move(id, end.status);
      db.prepare(
        `UPDATE tasks SET status = ?, success = ?, stop_reason = ?, reason = ?, iterations = ?, final_output = ?,
           input_tokens = ?, output_tokens = ?, cost_usd = ?, finished_at = ?, agent_pid = NULL, agent_start_time = NULL,
           current_step = NULL WHERE id = ?`,
      ).run(
        end.status,
        end.success ? 1 : 0,
        end.stopReason,
        redact(end.reason),
        end.iterations,
        redact(end.finalOutput),
        end.usage.inputTokens,
        end.usage.outputTokens,
        end.usage.costUsd ?? null,
        stamp(),
        id,
      );
    },
    get,
    resolve(idOrPrefix) {
      const exact = get(idOrPrefix);
      if (exact) return exact;
      const prefix = idOrPrefix.trim();
      if (prefix.length >= 4 && /^[0-9a-f-]+$/i.test(prefix)) {
        const rows: unknown[] = db.prepare('SELECT * FROM tasks WHERE id LIKE ? LIMIT 2').all(`${prefix.toLowerCase()}%`);
        if (rows.length === 1) return toTask(rows[0]);
        if (rows.length > 1) throw new OrchestratorError('INVALID_INPUT', `task id prefix "${prefix}" is ambiguous`);
      }
      throw new OrchestratorError('TASK_NOT_FOUND', `task ${idOrPrefix} not found (see \`ai-orchestrator tasks list\`)`);
    },
    steps(id) {
      const rows: unknown[] = db.prepare('SELECT * FROM task_steps WHERE task_id = ? ORDER BY iteration, step_index').all(id);
      return rows.map(toStep);
    },
    list(listOptions = {}) {
      const limit = listOptions.limit ?? 50;
      const rows: unknown[] = listOptions.status
        ? db.prepare('SELECT * FROM tasks WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(listOptions.status, limit)
        : db.prepare('SELECT * FROM tasks ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit);
      return rows.map(toTask);
    },
    clean: (before) => deleteFinishedBefore(before).length,
    deleteFinishedBefore,
    markInterrupted() {
      const rows: unknown[] = db.prepare("SELECT * FROM tasks WHERE status IN ('queued', 'pending', 'in_progress')").all();
      const limit = now().getTime() - staleAfterMs;
      const gone = rows.map(toTask).filter((task) => {
        if (task.ownerHost !== host) return false; // another machine's process: not ours to judge
        if (task.ownerPid === pid) return false;
        if (!isAlive(task.ownerPid)) return true;
        const beat = Date.parse(task.heartbeatAt ?? task.createdAt);
        return Number.isFinite(beat) && beat < limit;
      });
      const mark = db.prepare(
        "UPDATE tasks SET status = 'interrupted', success = 0, reason = ?, finished_at = ?, agent_pid = NULL, agent_start_time = NULL, current_step = NULL WHERE id = ? AND status IN ('queued', 'pending', 'in_progress')",
      );
      const agentOf = db.prepare<[string], { agent_pid: number | null; agent_start_time: string | null }>(
        'SELECT agent_pid, agent_start_time FROM tasks WHERE id = ?',
      );
      const at = stamp();
      for (const task of gone) {
        const agent = agentOf.get(task.id);
        const killed = agent?.agent_pid && agent.agent_start_time ? killOrphanedAgent(agent.agent_pid, agent.agent_start_time) : false;
        const escaped = killEscapedDescendants(task.ownerPid);
        const note =
          (killed ? `; its agent (pid ${agent?.agent_pid ?? ''}) was still running and was stopped` : '') +
          (escaped > 0 ? `; ${escaped} process(es) the agent started outside its group were stopped` : '');
        mark.run(`interrupted: its process (pid ${task.ownerPid}) ended before the task finished${note}`, at, task.id);
      }
      return gone.map((task) => task.id);
    },
  };
}
