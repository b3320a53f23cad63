/**
 * What the workspace layer remembers per task: its checkpoints (which commit before which step,
 * and the one at the end), its rollbacks (what `--undo` restores) and its worktree.
 */
import { OrchestratorError } from '../shared/errors.js';
import { either, isNull, isNumber, isString, oneOf, parseJsonValue, rowColumns } from '../shared/value-checks.js';
import { migrate, type Db } from '../storage/database.js';
import { WORKSPACE_MIGRATIONS } from './migrations.js';

/** `step`: taken before a step ran; `end`: taken when the task ended. */
export type CheckpointKind = 'step' | 'end';

export interface CheckpointRecord {
  readonly taskId: string;
  /** 1, 2, … in the order taken; also the last part of its ref. */
  readonly seq: number;
  readonly kind: CheckpointKind;
  /** The step it precedes (kind `step`). */
  readonly iteration?: number;
  readonly stepIndex?: number;
  /** Top of the work tree it was taken in. */
  readonly repo: string;
  readonly commit: string;
  readonly ref: string;
  readonly createdAt: string;
}

export interface RollbackRecord {
  readonly taskId: string;
  readonly seq: number;
  readonly repo: string;
  /** The state the files were restored to. */
  readonly targetCommit: string;
  /** The working tree just before the rollback: what `--undo` brings back. */
  readonly beforeCommit: string;
  readonly beforeRef: string;
  /** Repository-relative paths the rollback wrote or deleted. */
  readonly files: readonly string[];
  readonly createdAt: string;
  readonly undoneAt?: string;
}

export interface WorktreeRecord {
  readonly taskId: string;
  /** Top of the work tree the task was started from. */
  readonly repo: string;
  readonly path: string;
  readonly branch: string;
  readonly baseCommit: string;
  readonly workflow: string;
  readonly createdAt: string;
  /** The branch tip after the task's changes were committed (none: nothing to commit, or not yet). */
  readonly finalCommit?: string;
  readonly removedAt?: string;
}

export interface WorkspaceStore {
  nextCheckpointSeq(taskId: string): number;
  addCheckpoint(record: Omit<CheckpointRecord, 'createdAt'>): CheckpointRecord;
  checkpoints(taskId: string): CheckpointRecord[];
  nextRollbackSeq(taskId: string): number;
  addRollback(record: Omit<RollbackRecord, 'createdAt' | 'undoneAt'>): RollbackRecord;
  /** The newest rollback not undone yet. */
  lastRollback(taskId: string): RollbackRecord | undefined;
  markUndone(taskId: string, seq: number): void;
  addWorktree(record: Omit<WorktreeRecord, 'createdAt'>): WorktreeRecord;
  worktree(taskId: string): WorktreeRecord | undefined;
  /** Worktrees not removed yet. */
  liveWorktrees(): WorktreeRecord[];
  setWorktreeCommit(taskId: string, commit: string): void;
  markWorktreeRemoved(taskId: string): void;
  /** Forgets the task's worktree record (its worktree is made again: a queue worker running the task a second time). */
  dropWorktree(taskId: string): void;
  /** Every ref the workspace wrote for tasks, with its repository. */
  refs(): { readonly taskId: string; readonly repo: string; readonly ref: string }[];
  forgetTask(taskId: string): void;
}

// Rows are checked by hand (shared/value-checks.ts), not with zod: the store opens with every task
// in a git repository, before its first agent starts.
const nullableNumber = either(isNumber, isNull);
const nullableString = either(isString, isNull);
const isCheckpointKind = oneOf<CheckpointRecord['kind']>(['step', 'end']);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

function toCheckpoint(raw: unknown): CheckpointRecord {
  const col = rowColumns(raw, 'workspace_checkpoints');
  const iteration = col('iteration', nullableNumber, 'a number or NULL');
  const stepIndex = col('step_index', nullableNumber, 'a number or NULL');
  return {
    taskId: col('task_id', isString, 'text'),
    seq: col('seq', isNumber, 'a number'),
    kind: col('kind', isCheckpointKind, "'step' or 'end'"),
    ...(iteration !== null ? { iteration } : {}),
    ...(stepIndex !== null ? { stepIndex } : {}),
    repo: col('repo', isString, 'text'),
    commit: col('commit_id', isString, 'text'),
    ref: col('ref', isString, 'text'),
    createdAt: col('created_at', isString, 'text'),
  };
}

function toRollback(raw: unknown): RollbackRecord {
  const col = rowColumns(raw, 'workspace_rollbacks');
  const files = parseJsonValue(col('files', isString, 'text'));
  if (!isStringList(files)) throw new OrchestratorError('DATABASE_ERROR', `workspace_rollbacks row of task ${String(col('task_id', isString, 'text'))}: column files is not a JSON list of paths`);
  const undoneAt = col('undone_at', nullableString, 'text or NULL');
  return {
    taskId: col('task_id', isString, 'text'),
    seq: col('seq', isNumber, 'a number'),
    repo: col('repo', isString, 'text'),
    targetCommit: col('target_commit', isString, 'text'),
    beforeCommit: col('before_commit', isString, 'text'),
    beforeRef: col('before_ref', isString, 'text'),
    files,
    createdAt: col('created_at', isString, 'text'),
    ...(undoneAt ? { undoneAt } : {}),
  };
}

function toWorktree(raw: unknown): WorktreeRecord {
  const col = rowColumns(raw, 'workspace_worktrees');
  const finalCommit = col('final_commit', nullableString, 'text or NULL');
  const removedAt = col('removed_at', nullableString, 'text or NULL');
  return {
    taskId: col('task_id', isString, 'text'),
    repo: col('repo', isString, 'text'),
    path: col('path', isString, 'text'),
    branch: col('branch', isString, 'text'),
    baseCommit: col('base_commit', isString, 'text'),
    workflow: col('workflow', isString, 'text'),
    createdAt: col('created_at', isString, 'text'),
    ...(finalCommit ? { finalCommit } : {}),
    ...(removedAt ? { removedAt } : {}),
  };
}

export function createWorkspaceStore(db: Db, options: { now?: () => Date } = {}): WorkspaceStore {
  migrate(db, WORKSPACE_MIGRATIONS);
  const stamp = (): string => (options.now ?? (() => new Date()))().toISOString();
  const maxSeq = (table: string, taskId: string): number =>
    db.prepare<[string], { seq: number | null }>(`SELECT MAX(seq) AS seq FROM ${table} WHERE task_id = ?`).get(taskId)?.seq ?? 0;

  return {
    nextCheckpointSeq: (taskId) => maxSeq('workspace_checkpoints', taskId) + 1,
    addCheckpoint(record) {
      const createdAt = stamp();
      db.prepare(
        `INSERT INTO workspace_checkpoints (task_id, seq, kind, iteration, step_index, repo, commit_id, ref, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(record.taskId, record.seq, record.kind, record.iteration ?? null, record.stepIndex ?? null, record.repo, record.commit, record.ref, createdAt);
      return { ...record, createdAt };
    },
    checkpoints(taskId) {
      const rows: unknown[] = db.prepare('SELECT * FROM workspace_checkpoints WHERE task_id = ? ORDER BY seq').all(taskId);
      return rows.map(toCheckpoint);
    },
    nextRollbackSeq: (taskId) => maxSeq('workspace_rollbacks', taskId) + 1,
    addRollback(record) {
      const createdAt = stamp();
      db.prepare(
        `INSERT INTO workspace_rollbacks (task_id, seq, repo, target_commit, before_commit, before_ref, files, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(record.taskId, record.seq, record.repo, record.targetCommit, record.beforeCommit, record.beforeRef, JSON.stringify(record.files), createdAt);
      return { ...record, createdAt };
    },
    lastRollback(taskId) {
      const row: unknown = db
        .prepare('SELECT * FROM workspace_rollbacks WHERE task_id = ? AND undone_at IS NULL ORDER BY seq DESC LIMIT 1')
        .get(taskId);
      return row ? toRollback(row) : undefined;
    },
    markUndone(taskId, seq) {
      db.prepare('UPDATE workspace_rollbacks SET undone_at = ? WHERE task_id = ? AND seq = ?').run(stamp(), taskId, seq);
    },
    addWorktree(record) {
      const createdAt = stamp();
      db.prepare(
        `INSERT INTO workspace_worktrees (task_id, repo, path, branch, base_commit, workflow, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(record.taskId, record.repo, record.path, record.branch, record.baseCommit, record.workflow, createdAt);
      return { ...record, createdAt };
    },
    worktree(taskId) {
      const row: unknown = db.prepare('SELECT * FROM workspace_worktrees WHERE task_id = ?').get(taskId);
      return row ? toWorktree(row) : undefined;
    },
    liveWorktrees() {
      const rows: unknown[] = db.prepare('SELECT * FROM workspace_worktrees WHERE removed_at IS NULL ORDER BY created_at').all();
      return rows.map(toWorktree);
    },
    setWorktreeCommit(taskId, commit) {
      db.prepare('UPDATE workspace_worktrees SET final_commit = ? WHERE task_id = ?').run(commit, taskId);
    },
    markWorktreeRemoved(taskId) {
      db.prepare('UPDATE workspace_worktrees SET removed_at = ? WHERE task_id = ?').run(stamp(), taskId);
    },
    dropWorktree(taskId) {
      db.prepare('DELETE FROM workspace_worktrees WHERE task_id = ?').run(taskId);
    },
    refs() {
      const rows = db
        .prepare<[], { task_id: string; repo: string; ref: string }>(
          `SELECT task_id, repo, ref FROM workspace_checkpoints
           UNION ALL SELECT task_id, repo, before_ref AS ref FROM workspace_rollbacks`,
        )
        .all();
      return rows.map((row) => ({ taskId: row.task_id, repo: row.repo, ref: row.ref }));
    },
    forgetTask(taskId) {
      db.transaction(() => {
        for (const table of ['workspace_checkpoints', 'workspace_rollbacks']) db.prepare(`DELETE FROM ${table} WHERE task_id = ?`).run(taskId);
      })();
    },
  };
}

/** The private ref of a task's checkpoint. */
export function checkpointRef(taskId: string, seq: number): string {
  return `refs/ai-orchestrator/${taskId}/${seq}`;
}

/** The private ref of the state before a rollback (or an undo) of a task. */
export function rollbackRef(taskId: string, seq: number, kind: 'rollback' | 'undo'): string {
  return `refs/ai-orchestrator/${taskId}/${kind}-${seq}`;
}
