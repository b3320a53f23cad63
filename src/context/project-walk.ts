/**
 * The files of a project a scan looks at: every regular file under the root except what git
 * would ignore (the root's and every nested .gitignore, and .git/info/exclude), dependency and
 * build folders, dotfiles other than a few known ones, and — after `maxFiles` — the rest.
 * Names only: nothing is stat'ed or read here (the scanner stats what it may skip reading, and
 * takes size and mtime from the open file it reads — one system call fewer per file).
 */
import { readFileSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { ALLOWED_DOTFILES, isSkippedDirectory } from './scanner-rules.js';

export interface WalkedFile {
  /** Relative to the root, '/'-separated. */
  readonly path: string;
  readonly absolute: string;
}

export interface Walk {
  /** In directory order (names compared by code unit), directories depth-first. */
  readonly files: readonly WalkedFile[];
  /** True when the walk stopped at `maxFiles`. */
  readonly truncated: boolean;
}

interface Rule {
  /** The directory the .gitignore is in, relative to the root ('.' for the root). */
  readonly base: string;
  readonly ig: Ignore;
}

export function walkProject(root: string, maxFiles: number): Walk {
  const files: WalkedFile[] = [];
  let truncated = false;
  const rootRules: Rule[] = [];
  const exclude = readText(path.join(root, '.git', 'info', 'exclude'));
  if (exclude.trim() !== '') rootRules.push({ base: '.', ig: ignore().add(exclude) });

  const walk = (dir: string, rel: string, rules: readonly Rule[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable (permissions, removed meanwhile): nothing of it is known
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const own = entries.some((e) => e.isFile() && e.name === '.gitignore');
    const scoped = own ? [...rules, { base: rel, ig: ignore().add(readText(path.join(dir, '.gitignore'))) }] : rules;
    for (const entry of entries) {
      if (truncated) return;
      if (entry.name.startsWith('.') && !ALLOWED_DOTFILES.has(entry.name)) continue;
      const childRel = rel === '.' ? entry.name : `${rel}/${entry.name}`;
      const absolute = `${dir}${path.sep}${entry.name}`;
      if (entry.isDirectory()) {
        if (isSkippedDirectory(entry.name) || isIgnored(scoped, childRel, true)) continue;
        walk(absolute, childRel, scoped);
      } else if (entry.isFile()) {
        if (isIgnored(scoped, childRel, false)) continue;
        if (files.length >= maxFiles) {
          truncated = true;
          return;
        }
        files.push({ path: childRel, absolute });
      }
    }
  };
  walk(root, '.', rootRules);
  return { files, truncated };
}

/** As git decides: the deepest .gitignore with an opinion on the path wins (`!pattern` re-includes). */
function isIgnored(rules: readonly Rule[], rel: string, isDir: boolean): boolean {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (!rule) continue;
    const local = rule.base === '.' ? rel : rel.startsWith(`${rule.base}/`) ? rel.slice(rule.base.length + 1) : undefined;
    if (local === undefined || local === '') continue;
    const verdict = rule.ig.test(isDir ? `${local}/` : local);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
