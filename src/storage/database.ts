/**
 * The project's one SQLite database (`$AI_ORCHESTRATOR_HOME/context.db`): tasks, agent health
 * and the memory graph all live here. Each feature owns its migrations and applies them when it
 * opens its store; ids are namespaced ("tasks/001") so features never collide.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { OrchestratorError } from '../shared/errors.js';
import { ensurePrivateFile } from './private-files.js';

export type Db = Database.Database;

export interface Migration {
  /** Unique, namespaced and ordered within its feature: "tasks/001-create". */
  readonly id: string;
  readonly up: string | ((db: Db) => void);
}

const open = new Map<string, Db>();

export { databasePath } from './database-path.js';

/** Opens (once per process and path) the database, in WAL mode with foreign keys on. */
export function openDatabase(file: string): Db {
  const key = file === ':memory:' ? file : path.resolve(file);
  const cached = key === ':memory:' ? undefined : open.get(key);
  if (cached?.open) return cached;
  try {
    // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
    if (key !== ':memory:') ensurePrivateFile(key);
    const db = new Database(key);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    if (key !== ':memory:') open.set(key, db);
    return db;
  } catch (error) {
    throw new OrchestratorError('DATABASE_ERROR', `cannot open database ${key}: ${String(error)}`, { cause: error });
  }
}

/** Applies the migrations not applied yet, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const applied = new Set(
    db.prepare<[], { id: string }>('SELECT id FROM schema_migrations').all().map((row) => row.id),
  );
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?');
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    // IMMEDIATE: the write lock is taken before the check, so two processes opening a new
    // database at the same moment apply each migration once (the second waits, then skips it).
    db.transaction(() => {
      if (isApplied.get(migration.id)) return;
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      record.run(migration.id, new Date().toISOString());
    }).immediate();
  }
}

/** Closes every database this process opened (end of a CLI command, tests). */
export function closeAllDatabases(): void {
  for (const db of open.values()) if (db.open) db.close();
  open.clear();
}
