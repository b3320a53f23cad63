import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { closeAllDatabases, openDatabase } from './database.js';
import { appendPrivateFile, ensurePrivateDir, ensurePrivateFile, tightenHome, writePrivateFile } from './private-files.js';

const modeOf = (file: string): number => statSync(file).mode & 0o777;

describe('private files, whatever the umask', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
    closeAllDatabases();
  });

  it('creates missing folders 0700 and leaves existing ones as they are', () => {
    const base = tempDir();
    chmodSync(base, 0o755);
    ensurePrivateDir(path.join(base, 'home', 'reports'));
    expect(modeOf(path.join(base, 'home'))).toBe(0o700);
    expect(modeOf(path.join(base, 'home', 'reports'))).toBe(0o700);
    expect(modeOf(base)).toBe(0o755);
  });

  it('writes, appends and creates files 0600, tightening a looser existing file', () => {
    const home = path.join(tempDir(), 'home');
    writePrivateFile(path.join(home, 'a.json'), '{}\n');
    appendPrivateFile(path.join(home, 'b.log'), 'one\n');
    appendPrivateFile(path.join(home, 'b.log'), 'two\n');
    ensurePrivateFile(path.join(home, 'c'));
    writeFileSync(path.join(home, 'd'), 'old', { mode: 0o666 });
    writePrivateFile(path.join(home, 'd'), 'new');
    for (const name of ['a.json', 'b.log', 'c', 'd']) expect(modeOf(path.join(home, name)), name).toBe(0o600);
    expect(modeOf(home)).toBe(0o700);
  });

  it('keeps the database, its WAL and shared-memory files 0600', () => {
    const home = path.join(tempDir(), 'home');
    const db = openDatabase(path.join(home, 'context.db'));
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    for (const name of ['context.db', 'context.db-wal', 'context.db-shm']) expect(modeOf(path.join(home, name)), name).toBe(0o600);
    expect(modeOf(home)).toBe(0o700);
  });
});

describe('tightenHome', () => {
  it('takes group and other permissions from the home and what it keeps there, and nothing else', () => {
    const home = tempDir();
    chmodSync(home, 0o755);
    writeFileSync(path.join(home, 'context.db'), '', { mode: 0o644 });
    mkdirSync(path.join(home, 'reports'), { mode: 0o755 });
    chmodSync(path.join(home, 'reports'), 0o755);
    writeFileSync(path.join(home, 'reports', 'exec_1.json'), '{}', { mode: 0o644 });
    writeFileSync(path.join(home, 'reports', 'hook.sh'), '', { mode: 0o755 });
    chmodSync(path.join(home, 'reports', 'exec_1.json'), 0o644);
    chmodSync(path.join(home, 'reports', 'hook.sh'), 0o755);
    writeFileSync(path.join(home, 'notes.txt'), 'the user’s own', { mode: 0o644 });
    chmodSync(path.join(home, 'notes.txt'), 0o644);
    const outside = path.join(tempDir(), 'shared.txt');
    writeFileSync(outside, '');
    chmodSync(outside, 0o644);
    symlinkSync(outside, path.join(home, 'shell_history'));

    const tightened = tightenHome(home);
    expect(tightened.map((p) => path.relative(home, p)).sort()).toEqual(['', 'context.db', 'reports', 'reports/exec_1.json', 'reports/hook.sh']);
    expect(modeOf(home)).toBe(0o700);
    expect(modeOf(path.join(home, 'context.db'))).toBe(0o600);
    expect(modeOf(path.join(home, 'reports'))).toBe(0o700);
    expect(modeOf(path.join(home, 'reports', 'exec_1.json'))).toBe(0o600);
    expect(modeOf(path.join(home, 'reports', 'hook.sh'))).toBe(0o700); // still executable by its owner
    expect(modeOf(path.join(home, 'notes.txt'))).toBe(0o644); // not ours
    expect(modeOf(outside)).toBe(0o644); // links are not followed
    expect(tightenHome(home)).toEqual([]);
  });

  it('does nothing when there is no home yet', () => {
    const home = path.join(tempDir(), 'absent');
    expect(tightenHome(home)).toEqual([]);
    expect(() => statSync(home)).toThrow();
  });
});
