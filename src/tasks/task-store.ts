/**
 * Tasks and their steps in the one SQLite database. Each step is written the moment it ends, so
 * a killed process loses nothing already done. A task remembers the process that owns it (pid,
 * host, heartbeat); `markInterrupted` — run whenever a command opens the store — turns unfinished
 * tasks whose owner is gone into `interrupted`.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { IterationRecord, StepRecord } from '../events/events.js';
import type { StopReason } from '../events/task-values.js';
import type { Usage } from '../adapters/spec.js';
import { createRedactor, type Redactor } from '../security/redact.js';
import { OrchestratorError } from '../shared/errors.js';
import { migrate, statementCache, type Db } from '../storage/database.js';
import { killEscapedDescendants, killOrphanedAgent, processStartTime } from './agent-process.js';
import { TASK_MIGRATIONS } from './migrations.js';
import { convergenceFromColumn, statusFromColumn, stepFromRow, taskFromRow } from './task-rows.js';
import { canMove, type TaskStatus } from './task-state.js';

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
  /** A step ended: its record is stored, and the task has no running step nor agent process any more. */
  recordStep(id: string, step: StepRecord): void;
  recordIteration(id: string, iteration: IterationRecord): void;
  /** The agent process group now running for the task (undefined: none). */
  recordAgentProcess(id: string, pid: number | undefined): void;
  finish(id: string, end: TaskEnd): void;
  get(id: string): TaskRecord | undefined;
  /** The task's state alone (undefined: no such task). */
  status(id: string): TaskStatus | undefined;
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

export function createTaskStore(db: Db, options: TaskStoreOptions = {}): TaskStore {
  migrate(db, TASK_MIGRATIONS);
  const sql = statementCache(db);
  const now = options.now ?? (() => new Date());
  const pid = options.pid ?? process.pid;
  const host = options.host ?? os.hostname();
  const isAlive = options.isAlive ?? isProcessAlive;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const redact = options.redact ?? createRedactor();
  const stamp = (): string => now().toISOString();

  const getRow = sql('SELECT * FROM tasks WHERE id = ?');
  // Moves and iterations read the columns they need, not the whole row (they run on every event).
  const statusRow = sql<[string], { status: unknown }>('SELECT status FROM tasks WHERE id = ?');
  const statusOf = (id: string): TaskStatus => {
    const row = statusRow.get(id);
    if (!row) throw new OrchestratorError('TASK_NOT_FOUND', `task ${id} not found`);
    return statusFromColumn(id, row.status);
  };
  const move = (id: string, to: TaskStatus): void => {
    const from = statusOf(id);
    if (!canMove(from, to)) throw new OrchestratorError('INVALID_INPUT', `task ${id} cannot go from ${from} to ${to}`);
  };

  function get(id: string): TaskRecord | undefined {
    const row: unknown = getRow.get(id);
    return row ? taskFromRow(row) : undefined;
  }

  const insertStep = sql(`
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
      sql(
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
      if (task.budgetUsd !== undefined) sql('UPDATE tasks SET budget_usd = ? WHERE id = ?').run(task.budgetUsd, id);
      const created = get(id);
      if (!created) throw new OrchestratorError('DATABASE_ERROR', `task ${id} was not stored`);
      return created;
    },
    claimWorkingTree(id) {
      return db.transaction((): string | undefined => {
        const own = sql<[string], { cwd: string; rowid: number; status: string }>('SELECT cwd, rowid, status FROM tasks WHERE id = ?').get(id);
        if (!own) throw new OrchestratorError('TASK_NOT_FOUND', `task ${id} not found`);
        if (own.status !== 'queued') throw new OrchestratorError('INVALID_INPUT', `task ${id} is ${own.status}, not queued`);
        const blocker = sql<[string, string, number], { id: string }>(
          `SELECT id FROM tasks WHERE cwd = ? AND id != ? AND (status IN ('pending', 'in_progress') OR (status = 'queued' AND rowid < ?))
             AND owner_host NOT LIKE 'queue:%' ORDER BY rowid LIMIT 1`,
        ).get(own.cwd, id, own.rowid);
        if (blocker) return blocker.id;
        sql("UPDATE tasks SET status = 'pending', heartbeat_at = ? WHERE id = ?").run(stamp(), id);
        return undefined;
      }).immediate();
    },
    assign(id) {
      sql("UPDATE tasks SET status = 'pending', heartbeat_at = ? WHERE id = ? AND status = 'queued'").run(stamp(), id);
    },
    takeOver(id, iteration, index) {
      db.transaction(() => {
        sql(
          "UPDATE tasks SET status = 'pending', heartbeat_at = ?, current_step = NULL, agent_pid = NULL, agent_start_time = NULL WHERE id = ? AND status IN ('queued', 'pending', 'in_progress')",
        ).run(stamp(), id);
        sql('DELETE FROM task_steps WHERE task_id = ? AND (iteration > ? OR (iteration = ? AND step_index >= ?))').run(id, iteration, iteration, index);
      })();
    },
    setPlan(id, workflow, maxIterations) {
      sql('UPDATE tasks SET workflow = ?, max_iterations = ? WHERE id = ?').run(workflow, maxIterations, id);
    },
    reopen(id, ownerHost) {
      move(id, 'queued');
      sql(
        `UPDATE tasks SET status = 'queued', success = NULL, stop_reason = NULL, reason = NULL, final_output = NULL, finished_at = NULL,
           owner_pid = ?, owner_host = ?, heartbeat_at = ?, cancel_requested_at = NULL, current_step = NULL WHERE id = ?`,
      ).run(pid, ownerHost ?? host, stamp(), id);
    },
    setCurrentStep(id, step) {
      sql('UPDATE tasks SET current_step = ? WHERE id = ?').run(step ? JSON.stringify(step) : null, id);
    },
    requestCancel(id) {
      const result = sql(
        "UPDATE tasks SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ? AND status IN ('queued', 'pending', 'in_progress')",
      ).run(stamp(), id);
      return result.changes > 0;
    },
    cancelRequested(ids) {
      if (ids.length === 0) return [];
      // Polled several times a second while tasks run: one prepared statement per number of ids.
      const rows = sql<string[], { id: string }>(`SELECT id FROM tasks WHERE cancel_requested_at IS NOT NULL AND id IN (${ids.map(() => '?').join(', ')})`).all(...ids);
      return rows.map((row) => row.id);
    },
    setProject(id, projectId) {
      sql('UPDATE tasks SET project_id = ? WHERE id = ?').run(projectId, id);
    },
    setCwd(id, cwd) {
      sql('UPDATE tasks SET cwd = ? WHERE id = ?').run(cwd, id);
    },
    agentProcess(id) {
      const row = db
        .prepare<[string], { agent_pid: number | null; agent_start_time: string | null }>('SELECT agent_pid, agent_start_time FROM tasks WHERE id = ?')
        .get(id);
      return row?.agent_pid && row.agent_start_time ? { pid: row.agent_pid, startTime: row.agent_start_time } : undefined;
    },
    setMemoryBlock(id, block) {
      sql('UPDATE tasks SET memory_block = ? WHERE id = ?').run(block, id);
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
      sql('DELETE FROM task_steps WHERE task_id = ? AND (iteration > ? OR (iteration = ? AND step_index >= ?))').run(id, iteration, iteration, index);
      const task = get(id);
      if (!task) return;
      const kept = task.convergence.filter((c) => c.iteration < iteration);
      sql('UPDATE tasks SET convergence = ? WHERE id = ?').run(JSON.stringify(kept), id);
    },
    start(id) {
      move(id, 'in_progress');
      const at = stamp();
      sql("UPDATE tasks SET status = 'in_progress', started_at = ?, heartbeat_at = ? WHERE id = ?").run(at, at, id);
    },
    heartbeat(id) {
      sql('UPDATE tasks SET heartbeat_at = ? WHERE id = ?').run(stamp(), id);
    },
    recordStep(id, step) {
      db.transaction(() => {
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
        sql(
          `UPDATE tasks SET current_step = NULL, agent_pid = NULL, agent_start_time = NULL, heartbeat_at = ?, input_tokens = input_tokens + ?,
             output_tokens = output_tokens + ?, cost_usd = CASE WHEN ? IS NULL THEN cost_usd ELSE COALESCE(cost_usd, 0) + ? END WHERE id = ?`,
        ).run(stamp(), step.usage.inputTokens, step.usage.outputTokens, step.usage.costUsd ?? null, step.usage.costUsd ?? null, id);
      })();
    },
    recordIteration(id, iteration) {
      const task = sql<[string], { convergence: string; iterations: number }>('SELECT convergence, iterations FROM tasks WHERE id = ?').get(id);
      if (!task) return;
      const convergence = [...convergenceFromColumn(task.convergence).filter((c) => c.iteration !== iteration.iteration), iteration];
      sql('UPDATE tasks SET convergence = ?, iterations = ?, heartbeat_at = ? WHERE id = ?').run(
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
      sql('UPDATE tasks SET agent_pid = ?, agent_start_time = ? WHERE id = ? AND owner_host = ?').run(
        startTime === undefined ? null : (agentPid ?? null),
        startTime ?? null,
        id,
        host,
      );
    },
    finish(id, end) {
      move(id, end.status);
      sql(
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
    status(id) {
      const row = statusRow.get(id);
      return row ? statusFromColumn(id, row.status) : undefined;
    },
    resolve(idOrPrefix) {
      const exact = get(idOrPrefix);
      if (exact) return exact;
      const prefix = idOrPrefix.trim();
      if (prefix.length >= 4 && /^[0-9a-f-]+$/i.test(prefix)) {
        const rows: unknown[] = sql('SELECT * FROM tasks WHERE id LIKE ? LIMIT 2').all(`${prefix.toLowerCase()}%`);
        if (rows.length === 1) return taskFromRow(rows[0]);
        if (rows.length > 1) throw new OrchestratorError('INVALID_INPUT', `task id prefix "${prefix}" is ambiguous`);
      }
      throw new OrchestratorError('TASK_NOT_FOUND', `task ${idOrPrefix} not found (see \`ai-orchestrator tasks list\`)`);
    },
    steps(id) {
      const rows: unknown[] = sql('SELECT * FROM task_steps WHERE task_id = ? ORDER BY iteration, step_index').all(id);
      return rows.map(stepFromRow);
    },
    list(listOptions = {}) {
      const limit = listOptions.limit ?? 50;
      const rows: unknown[] = listOptions.status
        ? sql('SELECT * FROM tasks WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(listOptions.status, limit)
        : sql('SELECT * FROM tasks ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit);
      return rows.map(taskFromRow);
    },
    clean: (before) => deleteFinishedBefore(before).length,
    deleteFinishedBefore,
    markInterrupted() {
      const rows: unknown[] = sql("SELECT * FROM tasks WHERE status IN ('queued', 'pending', 'in_progress')").all();
      const limit = now().getTime() - staleAfterMs;
      const gone = rows.map(taskFromRow).filter((task) => {
        if (task.ownerHost !== host) return false; // another machine's process: not ours to judge
        if (task.ownerPid === pid) return false;
        if (!isAlive(task.ownerPid)) return true;
        const beat = Date.parse(task.heartbeatAt ?? task.createdAt);
        return Number.isFinite(beat) && beat < limit;
      });
      const mark = sql(
        "UPDATE tasks SET status = 'interrupted', success = 0, reason = ?, finished_at = ?, agent_pid = NULL, agent_start_time = NULL, current_step = NULL WHERE id = ? AND status IN ('queued', 'pending', 'in_progress')",
      );
      const agentOf = sql<[string], { agent_pid: number | null; agent_start_time: string | null }>(
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
