/**
 * Everything under $AI_ORCHESTRATOR_HOME is private to its user: the task history, agent output,
 * shell history, logs, reports, the audit log and (later) API tokens. Folders are 0700 and files
 * 0600 whatever the umask — the modes are set explicitly after creation, not left to `mode`, which
 * the umask can only narrow and which never applies to a file that already exists.
 */
import { chmodSync, closeSync, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Permission bits for group and others: any of them set means others can reach the entry. */
const OPEN_TO_OTHERS = 0o077;

/**
 * Creates `dir` and its missing parents 0700. Folders that already exist are left as they are:
 * they may be the user's own (an absolute reports_dir, the parent of a log file); a loose home
 * is tightened by `tightenHome`, with a warning.
 */
export function ensurePrivateDir(dir: string): void {
  const missing = firstMissingAncestor(dir);
  if (missing === undefined) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // Every folder this call created, from `dir` up to the first missing one.
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    chmodSync(current, PRIVATE_DIR_MODE);
    if (current === missing || current === path.dirname(current)) break;
  }
}

/** Creates `file` empty (0600, its folder 0700) if missing; an existing file is tightened to 0600. */
export function ensurePrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
  try {
    tightenFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes (replaces) `file` with mode 0600, its folder 0700. */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  writeWith(file, 'w', data);
}

/** Appends to `file` (created 0600, its folder 0700). */
export function appendPrivateFile(file: string, data: string): void {
  writeWith(file, 'a', data);
}

function writeWith(file: string, flags: 'w' | 'a', data: string | Uint8Array): void {
  ensurePrivateDir(path.dirname(file));
  const fd = openSync(file, flags, PRIVATE_FILE_MODE);
  try {
    tightenFd(fd);
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    for (let written = 0; written < buffer.length; ) written += writeSync(fd, buffer, written);
  } finally {
    closeSync(fd);
  }
}

function tightenFd(fd: number): void {
  if ((fstatSync(fd).mode & 0o777) !== PRIVATE_FILE_MODE) fchmodSync(fd, PRIVATE_FILE_MODE);
}

/** Takes group and other permissions away, keeping the owner's (an executable stays executable). */
function tightenIfOpen(entry: string, stats: Stats): boolean {
  if ((stats.mode & OPEN_TO_OTHERS) === 0) return false;
  chmodSync(entry, stats.mode & 0o7700);
  return true;
}

function firstMissingAncestor(dir: string): string | undefined {
  let missing: string | undefined;
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      lstatSync(current);
      return missing;
    } catch {
      missing = current;
    }
    if (current === path.dirname(current)) return missing;
  }
}

/**
 * What the orchestrator keeps in its home (default names): only these are tightened, so a home
 * pointed at a folder that also holds other things never has those changed.
 */
export const HOME_ENTRIES = [
  'context.db', 'context.db-wal', 'context.db-shm', 'context.db-journal', 'shell_history', 'audit.log', 'audit.head',
  'reports', 'output', 'logs', 'tokens', 'server-token', 'cache', 'full-output', 'queue-results',
] as const;

/**
 * Tightens a home made before these rules (or loosened since): the home folder and the entries
 * it holds for us (HOME_ENTRIES plus `extra`, recursively) lose every group and other permission.
 * Symbolic links are never followed. Returns the paths tightened (empty when all was private, or
 * when there is no home yet: it is not created here). A folder is searched only when it was
 * loose itself, so a private home costs one stat per entry.
 */
export function tightenHome(home: string, extra: readonly string[] = []): string[] {
  let homeStats: Stats;
  try {
    homeStats = lstatSync(home);
  } catch {
    return [];
  }
  if (!homeStats.isDirectory()) return [];
  const tightened: string[] = [];
  if (tightenIfOpen(home, homeStats)) tightened.push(home);
  const visit = (entry: string): void => {
    let stats: Stats;
    try {
      stats = lstatSync(entry);
    } catch {
      return; // absent, or removed while we walked
    }
    if (stats.isSymbolicLink()) return;
    if (!tightenIfOpen(entry, stats)) return;
    tightened.push(entry);
    // Inside a folder that was already private nothing is reachable by others: no need to look.
    if (stats.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
  };
  for (const name of new Set([...HOME_ENTRIES, ...extra])) visit(path.resolve(home, name));
  return tightened;
}
