/**
 * The audit trail: `$AI_ORCHESTRATOR_HOME/audit.log`, append-only JSON lines (0600). Each record
 * carries its own SHA-256 hash and the hash of the record before it, so a record changed, removed
 * or inserted breaks the chain at a line `verify` can name. A small head file (`audit.head`)
 * remembers the last record written, so cutting records off the end is caught too.
 *
 * The chain is tamper-evident, not tamper-proof: whoever can write the home can rewrite the whole
 * log consistently. It catches edits by hand, partial deletions and accidents — and it is the
 * record of what the task service and the servers did.
 *
 * Writers in several processes take turns through a lock file (`audit.log.lock`, created with
 * O_EXCL, holding the owner's pid; a dead owner's lock is taken over).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrchestratorError } from '../shared/errors.js';
import { isObject, isString } from '../shared/value-checks.js';
import { appendPrivateFile, ensurePrivateDir, writePrivateFile } from '../storage/private-files.js';

/** What is audited. Tasks: their life; config: the configuration in use changed; auth: a server refused a caller. */
export const AUDIT_TYPES = [
  'task.submitted',
  'task.queued',
  'task.started',
  'task.finished',
  'task.cancel_requested',
  'task.cancelled',
  'task.resumed',
  'task.rolled_back',
  'config.changed',
  'auth.failed',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

type Scalar = string | number | boolean | null;

/** One thing to record: its type and a flat map of details (ids, statuses, names — never secrets). */
export interface AuditEntry {
  readonly type: AuditType;
  readonly [detail: string]: Scalar | undefined;
}

export interface AuditRecord {
  /** 1, 2, 3, … — the line number in an intact log. */
  readonly seq: number;
  readonly at: string;
  readonly type: AuditType;
  /** Who wrote it: the local user and process. */
  readonly user: string;
  readonly pid: number;
  readonly data: Readonly<Record<string, Scalar>>;
  /** Hash of the previous record (64 zeros for the first). */
  readonly prev: string;
  /** SHA-256 of this record's JSON line without the `hash` field. */
  readonly hash: string;
}

export type AuditVerification =
  | { readonly ok: true; readonly records: number }
  | { readonly ok: false; readonly records: number; readonly line: number; readonly problem: string };

export interface AuditLog {
  readonly file: string;
  append(entry: AuditEntry): AuditRecord;
  /** Every record, oldest first (records that do not parse are left out: `verify` reports them). */
  list(): AuditRecord[];
  verify(): AuditVerification;
  /** Records `config.changed` when the file's content differs from the last one recorded for it. */
  noteConfigInUse(file: string, content: string, source: 'cli' | 'api'): AuditRecord | undefined;
}

export interface AuditLogOptions {
  readonly now?: () => Date;
  /** How long a writer waits for another one's lock before giving up (default 5 s). */
  readonly lockTimeoutMs?: number;
}

export const AUDIT_FILE = 'audit.log';
const GENESIS = '0'.repeat(64);

const HASH = /^[0-9a-f]{64}$/;
const AUDIT_TYPE_NAMES: ReadonlySet<string> = new Set(AUDIT_TYPES);
const RECORD_KEYS: ReadonlySet<string> = new Set(['seq', 'at', 'type', 'user', 'pid', 'data', 'prev', 'hash']);

interface Head {
  readonly seq: number;
  readonly hash: string;
  /** The digest of each configuration file last recorded as in use. */
  readonly configs: Readonly<Record<string, string>>;
}

// Records and the head are checked by hand, not with zod: every task appends to the log before
// its first agent starts, and loading zod there would cost more than the rest of the append.

/** A record exactly as written: every field present and well-formed, nothing else. */
function asRecord(value: unknown): AuditRecord | undefined {
  if (!isObject(value) || Object.keys(value).some((key) => !RECORD_KEYS.has(key))) return undefined;
  const { seq, at, type, user, pid, data, prev, hash } = value;
  if (!Number.isInteger(seq) || (seq as number) < 1 || !Number.isInteger(pid)) return undefined;
  if (!isString(at) || !isString(user) || !isString(type) || !AUDIT_TYPE_NAMES.has(type)) return undefined;
  if (!isObject(data) || !Object.values(data).every(isScalar)) return undefined;
  if (!isString(prev) || !HASH.test(prev) || !isString(hash) || !HASH.test(hash)) return undefined;
  return value as unknown as AuditRecord;
}

function asHead(value: unknown): Head | undefined {
  if (!isObject(value)) return undefined;
  const { seq, hash, configs = {} } = value;
  if (!Number.isInteger(seq) || (seq as number) < 0 || !isString(hash)) return undefined;
  if (!isObject(configs) || !Object.values(configs).every(isString)) return undefined;
  return { seq: seq as number, hash, configs: configs as Record<string, string> };
}

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function createAuditLog(home: string, options: AuditLogOptions = {}): AuditLog {
  const file = path.join(home, AUDIT_FILE);
  const headFile = path.join(home, 'audit.head');
  const lockFile = `${file}.lock`;
  const now = options.now ?? (() => new Date());
  const user = safeUser();

  function append(entry: AuditEntry): AuditRecord {
    return withLock(lockFile, options.lockTimeoutMs ?? 5_000, () => appendLocked(entry).record);
  }

  function appendLocked(entry: AuditEntry): { record: AuditRecord; head: Head } {
    const last = lastRecord(file);
    const head = readHead(headFile);
    const { type, ...details } = entry;
    const data: Record<string, Scalar> = {};
    for (const [key, value] of Object.entries(details)) if (value !== undefined) data[key] = value;
    const unsigned = { seq: (last?.seq ?? 0) + 1, at: now().toISOString(), type, user, pid: process.pid, data, prev: last?.hash ?? GENESIS };
    const record: AuditRecord = { ...unsigned, hash: sha256(JSON.stringify(unsigned)) };
    appendPrivateFile(file, `${JSON.stringify(record)}\n`);
    const next: Head = { seq: record.seq, hash: record.hash, configs: head?.configs ?? {} };
    writeHead(headFile, next);
    return { record, head: next };
  }

  return {
    file,
    append,
    list() {
      return readLines(file).flatMap((line) => {
        const parsed = parseRecord(line);
        return parsed ? [parsed] : [];
      });
    },
    verify() {
      return verifyLines(readLines(file), readHead(headFile));
    },
    noteConfigInUse(configFile, content, source) {
      const digest = sha256(content);
      const known = readHead(headFile)?.configs[configFile];
      if (known === digest) return undefined;
      return withLock(lockFile, options.lockTimeoutMs ?? 5_000, () => {
        const head = readHead(headFile);
        const previous = head?.configs[configFile];
        if (previous === digest) return undefined; // another process recorded it meanwhile
        const { record, head: written } = appendLocked({ type: 'config.changed', source, file: configFile, sha256: digest, previous: previous ?? null });
        writeHead(headFile, { ...written, configs: { ...written.configs, [configFile]: digest } });
        return record;
      });
    },
  };
}

function verifyLines(lines: readonly string[], head: Head | undefined): AuditVerification {
  // Hashes of the last two intact records, so a line that follows the one before the previous
  // one shows that the previous one was inserted.
  let prev = GENESIS;
  let beforePrev: string | undefined;
  let expected = 1;
  for (const [index, line] of lines.entries()) {
    const n = index + 1;
    const fail = (problem: string, at = n): AuditVerification => ({ ok: false, records: at - 1, line: at, problem });
    const record = parseRecord(line);
    if (!record) return fail('not an audit record (changed, inserted, or cut off while written)');
    const { hash, ...unsigned } = record;
    if (sha256(JSON.stringify(unsigned)) !== hash) return fail('changed (or inserted): its content does not match its hash');
    if (record.seq > expected) {
      const missing = record.seq - expected === 1 ? `record ${expected}` : `records ${expected}–${record.seq - 1}`;
      return fail(`${missing} removed before this line`);
    }
    if (record.seq < expected) {
      if (record.prev === beforePrev && n > 1) return fail(`inserted: line ${n} follows the line before it`, n - 1);
      return fail(`inserted: record ${record.seq} again, out of order`);
    }
    if (record.prev !== prev) return fail(`does not follow line ${n - 1}: one of the two was replaced`);
    beforePrev = prev;
    prev = record.hash;
    expected = record.seq + 1;
  }
  if (head && head.seq >= expected) {
    const missing = head.seq === expected ? `record ${expected}` : `records ${expected}–${head.seq}`;
    return { ok: false, records: lines.length, line: lines.length + 1, problem: `${missing} removed from the end (the log had reached record ${head.seq})` };
  }
  return { ok: true, records: lines.length };
}

function parseRecord(line: string): AuditRecord | undefined {
  try {
    return asRecord(JSON.parse(line));
  } catch {
    return undefined;
  }
}

function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new OrchestratorError('IO_ERROR', `cannot read the audit log ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The last record, read from the end of the file (the log grows; appends should not read it all). */
function lastRecord(file: string): AuditRecord | undefined {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size === 0) return undefined;
  const fd = openSync(file, 'r');
  try {
    for (let chunk = 64 * 1024; ; chunk *= 4) {
      const start = Math.max(0, size - chunk);
      const buffer = Buffer.alloc(size - start);
      readSync(fd, buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').split('\n').filter((line) => line !== '');
      // The first line of a chunk that does not start the file may be cut: only trust later ones.
      if (lines.length >= 2 || start === 0) {
        const last = lines.at(-1);
        const record = last === undefined ? undefined : parseRecord(last);
        if (!record) throw new OrchestratorError('IO_ERROR', `the audit log ${file} ends in a damaged record; see "ai-orchestrator audit verify"`);
        return record;
      }
    }
  } finally {
    closeSync(fd);
  }
}

function readHead(file: string): Head | undefined {
  try {
    return asHead(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Replaced whole (write + rename), so a crash leaves the old head or the new one. */
function writeHead(file: string, head: Head): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writePrivateFile(temporary, `${JSON.stringify(head)}\n`);
  renameSync(temporary, file);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `fn` holding the lock file; appends are short, so waiting a little is enough. */
function withLock<T>(lockFile: string, timeoutMs: number, fn: () => T): T {
  ensurePrivateDir(path.dirname(lockFile));
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerIsGone(lockFile)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new OrchestratorError('IO_ERROR', `the audit log is locked by another process (${lockFile}); try again`);
      }
      Atomics.wait(sleeper, 0, 0, wait);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function ownerIsGone(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, 'utf8'));
    // No pid yet: being written — or its writer died right after creating it.
    if (pid === 0) return Date.now() - statSync(lockFile).mtimeMs > 2_000;
  } catch {
    return false; // just removed: look again
  }
  if (!Number.isInteger(pid) || pid < 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
