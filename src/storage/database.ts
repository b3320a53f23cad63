/**
 * The project's one SQLite database (`$AI_ORCHESTRATOR_HOME/context.db`): tasks, agent health
 * and the memory graph all live here. Each feature owns its migrations and applies them when it
 * opens its store; ids are namespaced ("tasks/001") so features never collide.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { OrchestratorError } from '../shared/errors.js';
import { ensurePrivateFile } from './private-files.js';
import { settleTurnWrites } from './turn-writes.js';

export type Db = Database.Database;

export interface Migration {
  /** Unique, namespaced and ordered within its feature: "tasks/001-create". */
  readonly id: string;
  readonly up: string | ((db: Db) => void);
}

const open = new Map<string, Db>();
/** How long a command waits for another one's write lock before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

export { databasePath } from './database-path.js';

let driverBinary: string | undefined | null = null;

/**
 * The driver's compiled module, named directly: left to find it itself, the driver asks the
 * `bindings` package, which searches a dozen places through stack traces — and cannot from inside
 * the binary's bundle, which holds the driver's JavaScript (scripts/bundle.mjs).
 */
function nativeBinding(): string | undefined {
  if (driverBinary === null) {
    const root = path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const file = path.join(root, 'build', 'Release', 'better_sqlite3.node');
    driverBinary = existsSync(file) ? file : undefined;
  }
  return driverBinary;
}

/** Opens (once per process and path) the database, in WAL mode with foreign keys on. */
export function openDatabase(file: string): Db {
  const key = file === ':memory:' ? file : path.resolve(file);
  const cached = key === ':memory:' ? undefined : open.get(key);
  if (cached?.open) return cached;
  // What was being done when opening failed: a locked database tells more with it.
  let doing = 'opening it';
  try {
    // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
    if (key !== ':memory:') ensurePrivateFile(key);
    // The busy timeout comes first: commands started together on a fresh home all switch it to
    // WAL and create the tables at the same moment, and must wait for each other, not fail.
    const binding = nativeBinding();
    const db = new Database(key, { timeout: BUSY_TIMEOUT_MS, ...(binding ? { nativeBinding: binding } : {}) });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    doing = 'switching it to WAL mode';
    db.pragma('journal_mode = WAL');
    doing = 'setting its options';
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    doing = 'creating its migrations table';
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    if (key !== ':memory:') open.set(key, db);
    return db;
  } catch (error) {
    throw new OrchestratorError('DATABASE_ERROR', `cannot open database ${key} (${doing}): ${String(error)}`, { cause: error });
  }
}

/** Migration ids known to be applied, per connection. */
const appliedOn = new WeakMap<Db, Set<string>>();

/**
 * Applies the migrations not applied yet. Safe when several processes open a fresh database at
 * once: they run in one IMMEDIATE transaction (the write lock is taken before anything is read),
 * and the applied ids are read again under that lock, so a migration another process applied
 * while we waited is skipped instead of failing ("table … already exists"). All pending
 * migrations of the call land together or not at all.
 */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const appliedIds = (): Set<string> =>
    new Set(db.prepare<[], { id: string }>('SELECT id FROM schema_migrations').all().map((row) => row.id));
  // The common case — nothing to do — takes no write lock, and after the connection's first
  // check no statement: an applied migration stays applied, so the ids seen once are enough to
  // skip (every store of a command checks its own migrations on the one connection).
  let known = appliedOn.get(db);
  if (known && migrations.every((migration) => known?.has(migration.id))) return;
  known = appliedIds();
  appliedOn.set(db, known);
  if (migrations.every((migration) => known?.has(migration.id))) return;
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const applied = db.transaction(() => {
    const ids = appliedIds();
    for (const migration of migrations) {
      if (ids.has(migration.id)) continue;
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      record.run(migration.id, new Date().toISOString());
      ids.add(migration.id);
    }
    return ids;
  }).immediate();
  appliedOn.set(db, applied);
}

/**
 * A per-store cache of prepared statements by SQL text: a store that runs the same statements on
 * every event (the task store under the recorder) parses each once, not on every call.
 */
export function statementCache(db: Db): <P extends unknown[] | object = unknown[], R = unknown>(source: string) => Database.Statement<P, R> {
  const statements = new Map<string, Database.Statement>();
  return <P extends unknown[] | object = unknown[], R = unknown>(source: string): Database.Statement<P, R> => {
    let statement = statements.get(source);
    if (!statement) {
      statement = db.prepare(source);
      statements.set(source, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  };
}

/** Closes every database this process opened (end of a CLI command, tests). */
export function closeAllDatabases(): void {
  for (const db of open.values()) {
    if (!db.open) continue;
    settleTurnWrites(db);
    db.close();
  }
  open.clear();
}
