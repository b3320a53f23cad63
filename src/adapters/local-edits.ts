/**
 * Local models answer with text only (they have no tools), but their text often carries whole
 * files as fenced code blocks. These are parsed into proposed changes; with
 * `settings.apply_local_edits: true` they are written — only inside the working directory.
 *
 * Recognised forms (the path must be relative to the working directory):
 *   ```ts path=src/a.ts        (also file=, filename=, quotes allowed)
 *   ```ts:src/a.ts             (language:path)
 *   ```src/a.ts                (the info string is the path)
 *   File: src/a.ts             (a line right before the fence; also Filename:/Path:,
 *   ```ts                       **File:** `src/a.ts`, ### src/a.ts, `src/a.ts`)
 */
import { lstatSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { roleMayEdit } from '../shared/roles.js';
import type { AgentEvent, AgentRequest } from './spec.js';

export interface ProposedChange {
  /** The path as the model wrote it, normalised to forward slashes. */
  readonly path: string;
  readonly content: string;
  readonly language?: string;
}

export type ApplyOutcome =
  | { readonly status: 'written'; readonly path: string; readonly absolutePath: string; readonly kind: 'add' | 'update' }
  | { readonly status: 'refused'; readonly path: string; readonly reason: string };

const FENCE_OPEN = /^(\s{0,3})(`{3,}|~{3,})\s*(.*)$/;
const ATTRIBUTE_PATH = /(?:^|\s)(?:path|file|filename)\s*=\s*(?:"([^"]+)"|'([^']+)'|(\S+))/i;
const LINE_BEFORE = /^\s*(?:#{1,6}\s*)?(?:[*_]{1,2})?(?:(?:file(?:name)?|path)\s*:?)?\s*(?:[*_]{1,2})?\s*:?\s*`?([^`\s*]+)`?\s*:?\s*(?:[*_]{1,2})?\s*$/i;
const LABELLED_LINE = /^\s*(?:#{1,6}\s*)?(?:[*_]{1,2})?(?:file(?:name)?|path)\b/i;

/** Fenced blocks that name a file, in order; a later block for the same path wins. */
export function parseProposedChanges(text: string): ProposedChange[] {
  const lines = text.split(/\r?\n/);
  const byPath = new Map<string, ProposedChange>();
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[2] ?? '```';
    const info = (open[3] ?? '').trim();
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !isClosingFence(lines[j] ?? '', fence)) body.push(lines[j++] ?? '');
    const closed = j < lines.length;
    const target = pathFromInfo(info) ?? pathFromLineBefore(lines[i - 1], lines[i - 2]);
    if (closed && target) {
      const language = languageFromInfo(info);
      byPath.set(target, { path: target, content: `${body.join('\n')}\n`, ...(language ? { language } : {}) });
    }
    i = j;
  }
  return [...byPath.values()];
}

function isClosingFence(line: string, fence: string): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith(fence[0]!.repeat(fence.length)) && /^(`{3,}|~{3,})$/.test(trimmed);
}

function pathFromInfo(info: string): string | undefined {
  if (info === '') return undefined;
  const attribute = ATTRIBUTE_PATH.exec(info);
  if (attribute) return cleanPath(attribute[1] ?? attribute[2] ?? attribute[3]);
  const [first] = info.split(/\s+/);
  if (!first) return undefined;
  const colon = /^[A-Za-z0-9_+-]+:(.+)$/.exec(first);
  if (colon) return cleanPath(colon[1]);
  return looksLikePath(first) ? cleanPath(first) : undefined;
}

function languageFromInfo(info: string): string | undefined {
  const [first] = info.split(/\s+/);
  if (!first || first.includes('=')) return undefined;
  const language = first.split(':')[0];
  return language && !looksLikePath(language) ? language : undefined;
}

function pathFromLineBefore(previous: string | undefined, beforeThat: string | undefined): string | undefined {
  // A blank line between the label and the fence is common; accept one.
  const line = previous !== undefined && previous.trim() === '' ? beforeThat : previous;
  if (line === undefined || line.trim() === '') return undefined;
  const match = LINE_BEFORE.exec(line);
  const candidate = match?.[1];
  if (!candidate) return undefined;
  // An unlabelled line only counts when it is nothing but a path-like token.
  return LABELLED_LINE.test(line) || looksLikePath(candidate) ? cleanPath(candidate) : undefined;
}

/** A token with a directory separator or a file extension, and no spaces. */
function looksLikePath(token: string): boolean {
  return /^[^\s`'"<>|]+$/.test(token) && (token.includes('/') || /\.[A-Za-z0-9]{1,10}$/.test(token)) && !/^\.+$/.test(token);
}

function cleanPath(raw: string | undefined): string | undefined {
  const value = raw?.trim().replace(/^[`'"]|[`'":]$/g, '').replace(/\\/g, '/');
  return value ? value : undefined;
}

/**
 * Writes the changes into `cwd`. Each target is checked after resolving symlinks (of the file
 * if it exists, else of its nearest existing parent): anything that lands outside `cwd`, or in
 * `.git/`, is refused with a reason and nothing is written for it.
 */
export function applyProposedChanges(changes: readonly ProposedChange[], cwd: string): ApplyOutcome[] {
  const root = realpathSync(cwd);
  return changes.map((change) => {
    const refusal = (reason: string): ApplyOutcome => ({ status: 'refused', path: change.path, reason });
    if (path.isAbsolute(change.path) && !isInside(root, resolveReal(change.path))) {
      return refusal('absolute path outside the working directory');
    }
    const lexical = path.resolve(root, change.path);
    if (!isInside(root, lexical)) return refusal('path leaves the working directory');
    const real = resolveReal(lexical);
    if (!isInside(root, real)) return refusal('path resolves (through a symlink) outside the working directory');
    const relative = path.relative(root, real);
    if (relative === '') return refusal('path is the working directory itself');
    if (relative.split(path.sep)[0] === '.git') return refusal('writing into .git is not allowed');
    const exists = lexists(real);
    if (exists && !lstatSync(real).isFile()) return refusal('target exists and is not a regular file');
    try {
      mkdirSync(path.dirname(real), { recursive: true });
      writeFileSync(real, change.content);
    } catch (error) {
      return refusal(`cannot write: ${(error as Error).message}`);
    }
    return { status: 'written', path: relative.split(path.sep).join('/'), absolutePath: real, kind: exists ? 'update' : 'add' };
  });
}

/** The real path of `target`, resolving symlinks of its longest existing prefix. */
function resolveReal(target: string): string {
  let existing = target;
  const rest: string[] = [];
  while (!lexists(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    // A dangling symlink: lstat sees it, realpath cannot follow it — refuse by resolving nowhere.
    return path.parse(existing).root;
  }
  return path.join(real, ...rest);
}

function lexists(target: string): boolean {
  return lstatSync(target, { throwIfNoEntry: false }) !== undefined;
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The events a local agent's final answer adds in an edit role: one `proposed-change` per fenced
 * file, written (plus a `file-change`) only when `apply` (settings.apply_local_edits) is on.
 * Shared by the HTTP and the embedded adapters.
 */
export function* localEditEvents(text: string, request: AgentRequest, apply: boolean): Generator<AgentEvent> {
  if (!roleMayEdit(request.role)) return;
  const changes = parseProposedChanges(text);
  if (changes.length === 0) return;
  if (!apply) {
    for (const change of changes) yield { type: 'proposed-change', path: change.path, content: change.content, applied: false };
    return;
  }
  const outcomes = applyProposedChanges(changes, request.cwd);
  for (const [index, outcome] of outcomes.entries()) {
    const change = changes[index];
    if (!change) continue;
    if (outcome.status === 'written') {
      yield { type: 'proposed-change', path: outcome.path, content: change.content, applied: true };
      yield { type: 'file-change', path: path.join(request.cwd, outcome.path), kind: outcome.kind };
    } else {
      yield { type: 'proposed-change', path: change.path, content: change.content, applied: false, note: `not written: ${outcome.reason}` };
    }
  }
}
