/** The task store's tables in the one database (ids namespaced "tasks/…"). */
import type { Migration } from '../storage/database.js';

export const TASK_MIGRATIONS: readonly Migration[] = [
  {
    id: 'tasks/001-create',
    up: `
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        description TEXT NOT NULL,
        workflow TEXT NOT NULL,
        status TEXT NOT NULL,
        success INTEGER,
        stop_reason TEXT,
        reason TEXT,
        iterations INTEGER NOT NULL DEFAULT 0,
        max_iterations INTEGER NOT NULL,
        cwd TEXT NOT NULL,
        project_id TEXT,
        final_output TEXT,
        convergence TEXT NOT NULL DEFAULT '[]',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        owner_pid INTEGER NOT NULL,
        owner_host TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        heartbeat_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX tasks_status ON tasks(status);
      CREATE INDEX tasks_created_at ON tasks(created_at);
      CREATE TABLE task_steps (
        task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        iteration INTEGER NOT NULL,
        step_index INTEGER NOT NULL,
        agent TEXT NOT NULL,
        role TEXT NOT NULL,
        success INTEGER NOT NULL,
        output TEXT NOT NULL,
        error_kind TEXT,
        error_message TEXT,
        fallback_from TEXT,
        primary_error_kind TEXT,
        primary_error_message TEXT,
        suggestions TEXT NOT NULL,
        files_modified TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd REAL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (task_id, iteration, step_index)
      );
    `,
  },
  {
    // The agent process group a task is running, so a task found interrupted does not leave it
    // behind: pid plus the kernel's start time of that pid, which tells a reused pid apart.
    id: 'tasks/002-agent-process',
    up: `
      ALTER TABLE tasks ADD COLUMN agent_pid INTEGER;
      ALTER TABLE tasks ADD COLUMN agent_start_time TEXT;
    `,
  },
  {
    // The task service: a durable, sequenced event log per task; where a task came from and what
    // it follows; the step running now (for `tasks show` from another process); a cancel asked
    // for by another process; and what resume needs beyond the steps (the prompt's task text and
    // the memory block the prompts carried).
    id: 'tasks/003-service',
    up: `
      CREATE TABLE task_events (
        task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      ) WITHOUT ROWID;
      ALTER TABLE tasks ADD COLUMN source TEXT NOT NULL DEFAULT 'cli';
      ALTER TABLE tasks ADD COLUMN follow_up_of TEXT;
      ALTER TABLE tasks ADD COLUMN prompt_task TEXT;
      ALTER TABLE tasks ADD COLUMN memory_block TEXT;
      ALTER TABLE tasks ADD COLUMN current_step TEXT;
      ALTER TABLE tasks ADD COLUMN cancel_requested_at TEXT;
      CREATE INDEX tasks_cwd_status ON tasks(cwd, status);
    `,
  },
  {
    // Tool calls the agent's CLI refused during the step (JSON list; NULL = none).
    id: 'tasks/004-step-refusals',
    up: 'ALTER TABLE task_steps ADD COLUMN refusals TEXT;',
  },
  {
    // The budget the task was started with (`--budget-usd`), so a resumed run keeps it.
    id: 'tasks/005-budget',
    up: 'ALTER TABLE tasks ADD COLUMN budget_usd REAL;',
  },
  {
    // Files a local model proposed (JSON list with their text: `tasks apply --proposed` writes
    // them later), and what to do about the step's failure (its fix).
    id: 'tasks/006-step-proposals-and-fix',
    up: 'ALTER TABLE task_steps ADD COLUMN proposed_changes TEXT; ALTER TABLE task_steps ADD COLUMN error_fix TEXT;',
  },
];
