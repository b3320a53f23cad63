/**
 * Which files a run changed, seen from the working tree: `git status --porcelain` where the
 * directory is a git repository (before/after, so files that were already dirty but changed again
 * are caught by content hash), else a bounded snapshot of sizes and mtimes. The snapshot skips
 * version-control, dependency and build folders, stops at `maxFiles`, and is never taken of a
 * whole home directory, a temp folder or the filesystem root: there, other programs' files change
 * all the time and would be reported as the agent's.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findGitMarker } from '../process/git-marker.js';
import { runProcess } from '../process/spawn-process.js';

const SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', '.jj',
  'node_modules', 'bower_components', 'jspm_packages', '.yarn', '.pnpm-store',
  '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache',
  'dist', 'build', 'out', 'target', 'coverage', '.next', '.nuxt', '.svelte-kit', '.turbo', '.parcel-cache', '.cache',
  'vendor', 'Pods', '.gradle', '.terraform', 'DerivedData', '.idea', '.vscode',
]);
/** Default of settings.snapshot.max_files. */
export const DEFAULT_MAX_FILES = 20_000;

/** What a working tree looked like at one moment (to compare with a later one of the same directory). */
export interface TreeSnapshot {
  readonly files: ReadonlyMap<string, string>;
  /** Set when the walk stopped at maxFiles: the last path it saw. */
  readonly last?: string;
}

/** Snapshots of working trees, and what changed between two of the same directory. */
export interface TreeSnapshots {
  take(cwd: string): Promise<TreeSnapshot>;
  changed(before: TreeSnapshot, after: TreeSnapshot): string[];
}

export type ChangeDetector = (cwd: string) => Promise<() => Promise<readonly string[]>>;

/** Snapshots that, outside git, look at `maxFiles` files at most (settings.snapshot.max_files). */
export function createTreeSnapshots(options: { readonly maxFiles?: number } = {}): TreeSnapshots {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  // Whether a directory may be walked, judged once per directory: every step takes snapshots of it.
  const walkable = new Map<string, boolean>();
  return {
    take(cwd) {
      let may = walkable.get(cwd);
      if (may === undefined) {
        may = unwalkableReason(cwd) === undefined;
        walkable.set(cwd, may);
      }
      return snapshot(cwd, maxFiles, may);
    },
    changed(before, after) {
      // A snapshot cut off at maxFiles saw the tree only up to its last path (in walk order):
      // compare within what both saw, so a file beyond the cut never looks created or deleted.
      const horizon = [before.last, after.last].filter((p): p is string => p !== undefined).sort(compareWalkOrder)[0];
      const seen = (file: string): boolean => horizon === undefined || compareWalkOrder(file, horizon) <= 0;
      const changed: string[] = [];
      for (const [file, stamp] of after.files) if (before.files.get(file) !== stamp && seen(file)) changed.push(file);
      for (const file of before.files.keys()) if (!after.files.has(file) && seen(file)) changed.push(file);
      return changed.sort();
    },
  };
}

/** A detector: a snapshot when a run starts, another when it ends, and the paths that differ. */
export function createChangeDetector(options: { readonly maxFiles?: number } = {}): ChangeDetector {
  const snapshots = createTreeSnapshots(options);
  return async (cwd) => {
    const before = await snapshots.take(cwd);
    return async () => snapshots.changed(before, await snapshots.take(cwd));
  };
}

/** Starts watching `cwd`; call the returned function after the run for the changed paths. */
export const detectChangedFiles: ChangeDetector = createChangeDetector();

/**
 * Why a directory outside git is not walked (home, temp, root, or above them), or undefined
 * when it may be.
 */
export function unwalkableReason(cwd: string): string | undefined {
  const real = safeRealpath(cwd);
  const { home, temps } = (sharedPlaces ??= { home: safeRealpath(os.homedir()), temps: new Set([os.tmpdir(), '/tmp', '/var/tmp', '/dev/shm'].map(safeRealpath)) });
  if (real === path.parse(real).root) return 'it is the filesystem root';
  if (real === home) return 'it is your home directory';
  if (home.startsWith(`${real}${path.sep}`)) return 'it contains your home directory';
  if (temps.has(real)) return 'it is a shared temporary folder';
  return undefined;
}

/** The home and the temporary folders, resolved once per process (every snapshot asks). */
let sharedPlaces: { readonly home: string; readonly temps: ReadonlySet<string> } | undefined;

function safeRealpath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

async function snapshot(cwd: string, maxFiles: number, walkable: boolean): Promise<TreeSnapshot> {
  const git = await gitDirtyFiles(cwd);
  if (git) {
    const files = new Map<string, string>();
    for (const file of git) files.set(file, stamp(path.join(cwd, file), true));
    return { files };
  }
  if (!walkable) return { files: new Map() };
  return walk(cwd, maxFiles);
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
      // The path before the rename or copy follows; after a rename it is gone, so it changed too.
      i++;
      const original = stripPrefix(entries[i] ?? '', prefix);
      if (status.startsWith('R') && original) files.push(original);
    }
  }
  return files;
}

async function gitPrefix(cwd: string): Promise<{ readonly prefix: string } | undefined> {
  if (!findGitMarker(cwd)) return undefined;
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

/**
 * Files under root with their stamps, depth first with every folder's entries in name order — a
 * fixed order, so two snapshots cut off at maxFiles can be compared up to the shorter one's end.
 */
function walk(root: string, maxFiles: number): TreeSnapshot {
  const files = new Map<string, string>();
  let last: string | undefined;
  const visit = (relative: string): boolean => {
    let entries;
    try {
      entries = readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      return true;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !visit(child)) return false;
      } else if (entry.isFile()) {
        if (files.size >= maxFiles) return false;
        files.set(child, stamp(path.join(root, child), false));
        last = child;
      }
    }
    return true;
  };
  const complete = visit('');
  return complete ? { files } : { files, ...(last !== undefined ? { last } : {}) };
}

/** The order `walk` visits paths in: segment by segment, each by name. */
function compareWalkOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
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
