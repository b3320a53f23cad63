/**
 * A task's changes file by file with each file's patch, for showing (the web UI's "files
 * changed"): a `--worktree` task's branch against the commit it started from once it has ended,
 * otherwise its checkpoints (`diffTask`: the start against the end, or the working tree now while
 * it runs). Everything shown is redacted first and then cut to sizes a page can hold — a
 * thousand-file rewrite or a minified bundle must not become a response of tens of megabytes.
 */
import { existsSync } from 'node:fs';
import { git, resolveCommit } from './git.js';
import type { FileChange } from './diff.js';
import { diffFiles } from './diff.js';
import { diffTask, type StepCheckpoint, type TaskDiff, type TaskRef } from './task-changes.js';
import type { WorkspaceStore } from './workspace-store.js';

export interface PatchLimits {
  /** Files listed at most (the rest is counted). */
  readonly maxFiles: number;
  /** Files whose patch is shown, at most. */
  readonly maxPatchFiles: number;
  /** Characters of one file's patch, at most. */
  readonly maxFileChars: number;
  /** Characters of all patches together, at most. */
  readonly maxTotalChars: number;
}

export const DEFAULT_PATCH_LIMITS: PatchLimits = { maxFiles: 500, maxPatchFiles: 100, maxFileChars: 64 * 1024, maxTotalChars: 512 * 1024 };

export interface FilePatch extends FileChange {
  /** The unified diff of this file (redacted); absent when omitted. */
  readonly patch?: string;
  /** Why there is no patch: a binary file, or a limit was reached. */
  readonly omitted?: 'binary' | 'limit';
  /** The patch was cut at `maxFileChars` or at the total limit. */
  readonly cut: boolean;
}

export interface TaskPatch {
  readonly available: true;
  readonly repo: string;
  /** `branch`: a worktree task's branch against its base; else what `diffTask` compared. */
  readonly source: 'branch' | 'checkpoints';
  readonly from: string;
  readonly to: string;
  readonly toLabel: TaskDiff['toLabel'] | 'branch';
  readonly branch?: string;
  readonly step?: StepCheckpoint;
  readonly files: readonly FilePatch[];
  /** Every changed file, also those past `maxFiles`. */
  readonly totals: { readonly files: number; readonly additions: number; readonly deletions: number };
  /** Some files or patches were left out or cut. */
  readonly truncated: boolean;
}

export interface NoPatch {
  readonly available: false;
  readonly reason: string;
}

export interface TaskPatchOptions {
  /** A step ("3", or "2.1" as `tasks show` numbers it); default the whole task. */
  readonly step?: string;
  readonly redact: (text: string) => string;
  readonly limits?: PatchLimits;
}

/** The task's changes with their patches, or why there are none to show. */
export async function taskPatch(store: WorkspaceStore, task: TaskRef, options: TaskPatchOptions): Promise<TaskPatch | NoPatch> {
  const limits = options.limits ?? DEFAULT_PATCH_LIMITS;
  const worktree = store.worktree(task.id);
  if (worktree && !task.running && options.step === undefined) {
    const tip = await resolveCommit(worktree.repo, `refs/heads/${worktree.branch}`);
    if (tip) {
      const files = await diffFiles(worktree.repo, worktree.baseCommit, tip);
      return withPatches(worktree.repo, files, { source: 'branch', from: worktree.baseCommit, to: tip, toLabel: 'branch', branch: worktree.branch }, options.redact, limits);
    }
  }
  const checkpoints = store.checkpoints(task.id);
  const first = checkpoints[0];
  if (!first) {
    return {
      available: false,
      reason: task.running
        ? 'no checkpoint yet: one is taken before each step when the task runs in a git repository'
        : `task ${task.id} has no checkpoints: it did not run in a git repository (its changes cannot be shown without git)`,
    };
  }
  if (!existsSync(first.repo)) return { available: false, reason: `the working tree of task ${task.id} (${first.repo}) no longer exists` };
  const diff = await diffTask(store, task, options.step !== undefined ? { step: options.step } : {});
  return withPatches(
    diff.repo,
    diff.files,
    { source: 'checkpoints', from: diff.from, to: diff.to, toLabel: diff.toLabel, ...(diff.step ? { step: diff.step } : {}) },
    options.redact,
    limits,
  );
}

type Compared = Pick<TaskPatch, 'source' | 'from' | 'to' | 'toLabel' | 'branch' | 'step'>;

async function withPatches(repo: string, all: readonly FileChange[], compared: Compared, redact: (text: string) => string, limits: PatchLimits): Promise<TaskPatch> {
  const listed = all.slice(0, limits.maxFiles);
  const wanted = listed.filter((file) => !file.binary).slice(0, limits.maxPatchFiles);
  const patches = wanted.length > 0 ? splitPatch(await patchOf(repo, compared.from, compared.to, wanted.map((file) => file.path))) : new Map<string, string>();
  let budget = limits.maxTotalChars;
  let truncated = listed.length < all.length;
  const files = listed.map((file): FilePatch => {
    const shown = { ...file, path: redact(file.path) };
    if (file.binary) return { ...shown, omitted: 'binary', cut: false };
    const patch = patches.get(file.path);
    if (patch === undefined || budget <= 0) {
      truncated = true;
      return { ...shown, omitted: 'limit', cut: false };
    }
    const clean = redact(patch);
    const room = Math.min(limits.maxFileChars, budget);
    const cut = clean.length > room;
    budget -= Math.min(clean.length, room);
    if (cut) truncated = true;
    return { ...shown, patch: cut ? `${clean.slice(0, room)}\n[… ${clean.length - room} characters cut]\n` : clean, cut };
  });
  return {
    available: true,
    repo,
    ...compared,
    files,
    totals: {
      files: all.length,
      additions: all.reduce((sum, file) => sum + (file.additions ?? 0), 0),
      deletions: all.reduce((sum, file) => sum + (file.deletions ?? 0), 0),
    },
    truncated,
  };
}

/** The unified diff of some paths; paths unquoted in the headers so they can be matched. */
function patchOf(repo: string, from: string, to: string, paths: readonly string[]): Promise<string> {
  return git(repo, ['-c', 'core.quotePath=false', '--literal-pathspecs', 'diff', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', from, to, '--', ...paths]);
}

/** A unified diff cut into its files, by the path in each `diff --git` header. */
export function splitPatch(patch: string): Map<string, string> {
  const byPath = new Map<string, string>();
  const starts = [...patch.matchAll(/^diff --git /gm)].map((match) => match.index);
  starts.forEach((start, i) => {
    const chunk = patch.slice(start, starts[i + 1] ?? patch.length).replace(/\n$/, '');
    const header = chunk.slice(0, chunk.indexOf('\n') >= 0 ? chunk.indexOf('\n') : chunk.length);
    const file = headerPath(header.slice('diff --git '.length));
    if (file !== undefined) byPath.set(file, chunk);
  });
  return byPath;
}

/**
 * The path of a `diff --git a/P b/P` header (no renames, so both sides name the same P): quoted
 * C-style when P has quotes, backslashes or control characters; else its length tells where the
 * first side ends, whatever spaces P holds.
 */
function headerPath(sides: string): string | undefined {
  if (sides.startsWith('"')) {
    const quoted = unquote(sides);
    return quoted?.startsWith('a/') ? quoted.slice(2) : undefined;
  }
  const length = (sides.length - 5) / 2;
  if (!Number.isInteger(length) || length < 1 || !sides.startsWith('a/')) return undefined;
  const file = sides.slice(2, 2 + length);
  return sides === `a/${file} b/${file}` ? file : undefined;
}

const ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** The first C-quoted string of `text` (git's quoting: escapes and octal bytes), decoded as UTF-8. */
function unquote(text: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 1; i < text.length; i++) {
    const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
    if (char === '"') return Buffer.from(bytes).toString('utf8');
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length - 1;
      continue;
    }
    const next = text[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else if (ESCAPES[next] !== undefined) {
      bytes.push(ESCAPES[next]);
      i += 1;
    } else {
      return undefined;
    }
  }
  return undefined;
}
