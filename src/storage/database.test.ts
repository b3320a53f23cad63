import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../../test/helpers/cli.js';
import { closeAllDatabases, migrate, openDatabase } from './database.js';

const DATABASE = pathToFileURL(path.join(import.meta.dirname, 'database.ts')).href;

/** A process that opens `file` and applies one slow migration (it sleeps before creating its table). */
function migrator(file: string): Promise<{ code: number | null; stderr: string }> {
  const script = `
    import { migrate, openDatabase } from ${JSON.stringify(DATABASE)};
    const db = openDatabase(${JSON.stringify(file)});
    migrate(db, [{ id: 'test/001-slow', up: (d) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      d.exec('CREATE TABLE slow (x INTEGER)');
    } }]);
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('migrations', () => {
  it('apply once when several processes open a new database at the same moment', async () => {
    const file = path.join(tempDir('aio-db-'), 'context.db');
    const results = await Promise.all([migrator(file), migrator(file), migrator(file)]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const db = openDatabase(file);
    expect(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE id = 'test/001-slow'").get()).toEqual({ n: 1 });
    closeAllDatabases();
  }, 60_000);

  it('skip a migration already applied', () => {
    const db = openDatabase(':memory:');
    let runs = 0;
    const migration = { id: 'test/002', up: () => void runs++ };
    migrate(db, [migration]);
    migrate(db, [migration]);
    expect(runs).toBe(1);
  });
});
