import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../../test/helpers/cli.js';
import { createAuditLog, type AuditLog } from './audit-log.js';

function seeded(count: number): { home: string; audit: AuditLog; lines: () => string[]; write: (lines: string[]) => void } {
  const home = tempDir('aio-audit-');
  const audit = createAuditLog(home);
  for (let i = 1; i <= count; i++) audit.append({ type: 'task.started', taskId: `t${i}`, workflow: 'default' });
  const file = path.join(home, 'audit.log');
  return {
    home,
    audit,
    lines: () => readFileSync(file, 'utf8').trimEnd().split('\n'),
    write: (lines) => writeFileSync(file, `${lines.join('\n')}\n`),
  };
}

describe('the audit log', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('appends JSON lines, each with the hash of the one before, in a 0600 file', () => {
    const { audit, lines } = seeded(3);
    const records = lines().map((line) => JSON.parse(line) as { seq: number; prev: string; hash: string; data: { taskId: string } });
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0]?.prev).toBe('0'.repeat(64));
    expect(records[1]?.prev).toBe(records[0]?.hash);
    expect(records[2]?.prev).toBe(records[1]?.hash);
    expect(audit.list().map((r) => r.data['taskId'])).toEqual(['t1', 't2', 't3']);
    expect(statSync(audit.file).mode & 0o777).toBe(0o600);
    expect(audit.verify()).toEqual({ ok: true, records: 3 });
  });

  it('names the line of a changed record', () => {
    const { audit, lines, write } = seeded(4);
    const all = lines();
    all[1] = all[1]!.replace('"t2"', '"t9"');
    write(all);
    expect(audit.verify()).toMatchObject({ ok: false, line: 2, problem: expect.stringContaining('changed') as unknown });
  });

  it('names the line after a removed record', () => {
    const { audit, lines, write } = seeded(4);
    write(lines().filter((_, i) => i !== 1));
    expect(audit.verify()).toMatchObject({ ok: false, line: 2, problem: 'record 2 removed before this line' });
  });

  it('names an inserted record, even one forged with a correct hash and chain', () => {
    const { home, audit, lines, write } = seeded(3);
    // Forge a record that chains from record 2, as if it were record 3, then splice it in.
    const forger = seeded(0);
    const original = lines();
    forger.write(original.slice(0, 2));
    writeFileSync(path.join(forger.home, 'audit.head'), readFileSync(path.join(home, 'audit.head')));
    const forged = forger.audit.append({ type: 'task.finished', taskId: 't2', status: 'completed' });
    write([original[0]!, original[1]!, JSON.stringify(forged), original[2]!]);
    expect(audit.verify()).toMatchObject({ ok: false, line: 3, problem: expect.stringContaining('inserted') as unknown });
  });

  it('names a copied record put in again', () => {
    const { audit, lines, write } = seeded(3);
    const all = lines();
    write([...all, all[0]!]);
    expect(audit.verify()).toMatchObject({ ok: false, line: 4, problem: expect.stringContaining('inserted') as unknown });
  });

  it('notices records cut off the end', () => {
    const { audit, lines, write } = seeded(4);
    write(lines().slice(0, 2));
    expect(audit.verify()).toMatchObject({ ok: false, line: 3, problem: 'records 3–4 removed from the end (the log had reached record 4)' });
  });

  it('records a configuration change once per content', () => {
    const { audit } = seeded(0);
    expect(audit.noteConfigInUse('/etc/a.yaml', 'agents: {}\n', 'cli')?.data).toMatchObject({ source: 'cli', file: '/etc/a.yaml', previous: null });
    expect(audit.noteConfigInUse('/etc/a.yaml', 'agents: {}\n', 'cli')).toBeUndefined();
    const changed = audit.noteConfigInUse('/etc/a.yaml', 'agents: { x: {} }\n', 'cli');
    expect(changed?.type).toBe('config.changed');
    expect(changed?.data['previous']).toMatch(/^[0-9a-f]{64}$/);
    expect(audit.verify()).toEqual({ ok: true, records: 2 });
  });

  it('takes over the lock of a writer that died', () => {
    const { home, audit } = seeded(1);
    writeFileSync(path.join(home, 'audit.log.lock'), '999999999');
    audit.append({ type: 'auth.failed', surface: 'server', remote: '127.0.0.1', reason: 'bad token' });
    expect(audit.verify()).toEqual({ ok: true, records: 2 });
  });

  it('keeps one chain when several processes append at once', async () => {
    const home = tempDir('aio-audit-');
    const module = path.join(REPO_ROOT, 'dist/security/audit-log.js');
    const script = `const { createAuditLog } = await import(${JSON.stringify(module)}); const log = createAuditLog(process.argv[1]); for (let i = 0; i < 25; i++) log.append({ type: 'task.started', taskId: String(process.pid) + '-' + i });`;
    const writers = Array.from(
      { length: 6 },
      () =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, home], { stdio: 'inherit' });
          child.on('error', reject);
          child.on('close', resolve);
        }),
    );
    expect(await Promise.all(writers)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(createAuditLog(home).verify()).toEqual({ ok: true, records: 150 });
  });
});
