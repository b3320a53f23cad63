import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers/cli.js';

const DATABASE_MODULE = pathToFileURL(path.join(import.meta.dirname, 'database.ts')).href;

/**
 * A process that opens `file`, waits for `go` to exist, waits `delayMs` more, then applies one
 * migration that creates a table and holds its transaction for `holdMs`.
 */
function migrator(dir: string, name: string, delayMs: number, holdMs: number) {
  const script = path.join(dir, `${name}.mjs`);
  writeFileSync(
    script,
    `import { existsSync } from 'node:fs';
import { migrate, openDatabase } from ${JSON.stringify(DATABASE_MODULE)};
const db = openDatabase(${JSON.stringify(path.join(dir, 'context.db'))});
process.stdout.write('ready\\n');
while (!existsSync(${JSON.stringify(path.join(dir, 'go'))})) await new Promise((resolve) => setTimeout(resolve, 10));
await new Promise((resolve) => setTimeout(resolve, ${delayMs}));
migrate(db, [{ id: 'race/001-create', up: (d) => {
  d.exec('CREATE TABLE raced (x INTEGER)');
  const until = Date.now() + ${holdMs};
  while (Date.now() < until) { /* holding the write lock */ }
} }]);
process.stdout.write('migrated\\n');
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  const ready = async (): Promise<void> => {
    while (!stdout.includes('ready')) {
      if (child.exitCode !== null) throw new Error(`migrator ${name} ended early: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { done, ready };
}

describe('migrate', () => {
  it('lets a second process that found the migration pending skip it once the first one applied it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-migrate-race-'));
    const first = migrator(dir, 'first', 0, 1500);
    const second = migrator(dir, 'second', 400, 0);
    await Promise.all([first.ready(), second.ready()]);
    writeFileSync(path.join(dir, 'go'), '');
    const results = await Promise.all([first.done, second.done]);
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ code: 0, stdout: 'ready\nmigrated\n' });
    }
    expect(existsSync(path.join(dir, 'context.db'))).toBe(true);
  });

  it('skips, on a connection that checked before, what it saw applied, and sees what another connection applied since', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { migrate, openDatabase } = await import('./database.js');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-migrate-seen-')), 'context.db');
    const db = openDatabase(file);
    let runs = 0;
    const first = { id: 'seen/001', up: (d: typeof db) => (runs++, d.exec('CREATE TABLE one (x)')) };
    const second = { id: 'seen/002', up: 'CREATE TABLE two (x)' };
    migrate(db, [first]);
    // Another process applies the second migration meanwhile.
    const other = new Database(file);
    other.exec('CREATE TABLE two (x)');
    other.prepare("INSERT INTO schema_migrations (id, applied_at) VALUES ('seen/002', 'now')").run();
    other.close();
    migrate(db, [first]);
    migrate(db, [first, second]);
    expect(runs).toBe(1);
    expect(db.prepare<[], { id: string }>('SELECT id FROM schema_migrations ORDER BY id').all().map((row) => row.id)).toEqual(['seen/001', 'seen/002']);
  });
});

describe('openDatabase', () => {
  it('says what it was doing when a database cannot be opened', async () => {
    const { openDatabase } = await import('./database.js');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-not-a-db-')), 'context.db');
    writeFileSync(file, 'this is not a SQLite database, and a long enough line to be read as one\n'.repeat(20));
    expect(() => openDatabase(file)).toThrow(/cannot open database .*context\.db \(switching it to WAL mode\): .*not a database/);
  });
});
