/**
 * Which files a run changed, seen from the working tree: `git status --porcelain` where the
 * directory is a git repository (before/after, so files that were already dirty but changed again
 * are caught by content hash), else a bounded snapshot of sizes and mtimes.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { runProcess } from '../process/spawn-process.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', 'dist', 'build', 'target', '__pycache__', '.next', 'coverage']);
const MAX_FILES = 20_000;

type Snapshot = Map<string, string>;

/** Starts watching `cwd`; call the returned function after the run for the changed paths. */
export async function detectChangedFiles(cwd: string): Promise<() => Promise<readonly string[]>> {
  const before = await snapshot(cwd);
  return async () => {
    const after = await snapshot(cwd);
    const changed: string[] = [];
    for (const [file, stamp] of after) if (before.get(file) !== stamp) changed.push(file);
    for (const file of before.keys()) if (!after.has(file)) changed.push(file);
    return changed.sort();
  };
}

async function snapshot(cwd: string): Promise<Snapshot> {
  const git = await gitDirtyFiles(cwd);
  if (git) {
    const map: Snapshot = new Map();
    for (const file of git) map.set(file, stamp(path.join(cwd, file), true));
    return map;
  }
  return walk(cwd);
}

/**
 * Whether a directory is inside a git work tree, and its path inside it — asked once per directory
 * and process: every step takes two snapshots, and a spawn saved per snapshot is most of the cost.
 */
const workTrees = new Map<string, Promise<{ readonly prefix: string } | undefined>>();

function gitWorkTree(cwd: string): Promise<{ readonly prefix: string } | undefined> {
  let known = workTrees.get(cwd);
  if (!known) {
    known = gitPrefix(cwd);
    workTrees.set(cwd, known);
  }
  return known;
}

/** Dirty and untracked files relative to cwd, or undefined when cwd is not in a git work tree. */
async function gitDirtyFiles(cwd: string): Promise<string[] | undefined> {
  const tree = await gitWorkTree(cwd);
  if (!tree) return undefined;
  const result = await runProcess({
    command: 'git',
    args: ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.'],
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? cwd, GIT_OPTIONAL_LOCKS: '0' },
    timeoutMs: 15_000,
  }).catch(() => undefined);
  if (!result || result.exitCode !== 0) return undefined;
  const prefix = tree.prefix;
  const files: string[] = [];
  const entries = result.stdout.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!entry || entry.length < 4) continue;
    const status = entry.slice(0, 2);
    const file = stripPrefix(entry.slice(3), prefix);
    if (file !== undefined) files.push(file);
    if (status.startsWith('R') || status.startsWith('C')) {
      // The original path follows; after a rename it is gone, so it changed too.
      i++;
      const original = stripPrefix(entries[i] ?? '', prefix);
      if (status.startsWith('R') && original) files.push(original);
    }
  }
  return files;
}

async function gitPrefix(cwd: string): Promise<{ readonly prefix: string } | undefined> {
  const result = await runProcess({
    command: 'git',
    args: ['rev-parse', '--show-prefix'],
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? cwd },
    timeoutMs: 15_000,
  }).catch(() => undefined);
  return result?.exitCode === 0 ? { prefix: result.stdout.trim() } : undefined;
}

/** Repository-relative → cwd-relative; undefined for a path outside cwd (a rename's origin). */
function stripPrefix(file: string, prefix: string): string | undefined {
  if (!prefix) return file;
  return file.startsWith(prefix) ? file.slice(prefix.length) : undefined;
}

function walk(root: string): Snapshot {
  const map: Snapshot = new Map();
  const stack = [''];
  while (stack.length > 0 && map.size < MAX_FILES) {
    const relative = stack.pop() ?? '';
    let entries;
    try {
      entries = readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) stack.push(child);
      } else if (entry.isFile()) {
        map.set(child, stamp(path.join(root, child), false));
      }
    }
  }
  return map;
}

/** Size+mtime, plus a content hash for git-dirty files (small set, and mtime can tie). */
function stamp(file: string, hash: boolean): string {
  try {
    const stat = statSync(file);
    const base = `${stat.size}:${stat.mtimeMs}`;
    if (!hash || stat.size > 8 * 1024 * 1024) return base;
    return `${base}:${createHash('sha1').update(readFileSync(file)).digest('hex')}`;
  } catch {
    return 'missing';
  }
}
