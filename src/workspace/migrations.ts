/**
 * The workspace layer's tables in the one database (ids namespaced "workspace/…").
 *
 * Checkpoints are kept in a table, not only derived from their refs: a checkpoint is taken
 * before a step starts, long before the step's own row exists (and after a kill -9 the row never
 * will), and `tasks diff --step N` must map a step to its commit without walking refs. The refs
 * keep the commits alive in git; the table says which step each one belongs to. No foreign key
 * to `tasks` (a table of another feature): when old tasks are deleted, the rows left behind tell
 * `tasks clean` which refs to delete.
 */
import type { Migration } from '../storage/database.js';

export const WORKSPACE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'workspace/001-create',
    up: `
      CREATE TABLE workspace_checkpoints (
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        iteration INTEGER,
        step_index INTEGER,
        repo TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        ref TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      );
      CREATE TABLE workspace_rollbacks (
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        repo TEXT NOT NULL,
        target_commit TEXT NOT NULL,
        before_commit TEXT NOT NULL,
        before_ref TEXT NOT NULL,
        files TEXT NOT NULL,
        created_at TEXT NOT NULL,
        undone_at TEXT,
        PRIMARY KEY (task_id, seq)
      );
      CREATE TABLE workspace_worktrees (
        task_id TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        path TEXT NOT NULL,
        branch TEXT NOT NULL,
        base_commit TEXT NOT NULL,
        workflow TEXT NOT NULL,
        created_at TEXT NOT NULL,
        final_commit TEXT,
        removed_at TEXT
      );
    `,
  },
];
