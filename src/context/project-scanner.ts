/**
 * Reads a project's tree into memory: languages, frameworks, layout and the decisions its files
 * reveal (testing, CI/CD, containers). It skips dependency and build folders, dotfiles, anything
 * the project's .gitignore files ignore, files over 256 KB, and stops after 5,000 files.
 * The project id is the first 16 hex digits of SHA-256 of the absolute normalised path, so the
 * same checkout always maps to the same memory.
 */
import { readFileSync, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { OrchestratorError } from '../shared/errors.js';
import { projectIdForPath } from './project-id.js';
import { parseJson } from './parse-json.js';
import {
  ALLOWED_DOTFILES,
  FRAMEWORK_MARKERS,
  LANGUAGE_MAP,
  PACKAGE_FRAMEWORKS,
  PYTHON_FRAMEWORKS,
  STRUCTURE_PATTERNS,
  isSkippedDirectory,
} from './scanner-rules.js';
import { z } from 'zod';

export interface ScanLimits {
  /** Default 5,000. */
  readonly maxFiles?: number;
  /** Default 256 KB. */
  readonly maxFileBytes?: number;
}

export interface DirectorySummary {
  /** Relative to the root, '/'-separated; '.' for the root. */
  readonly path: string;
  readonly files: number;
  readonly languages: readonly string[];
}

export interface ProjectScan {
  readonly projectId: string;
  readonly root: string;
  readonly name: string;
  readonly fileCount: number;
  readonly truncated: boolean;
  /** Most files first. */
  readonly languages: readonly { readonly language: string; readonly files: number }[];
  readonly frameworks: readonly string[];
  readonly directories: readonly DirectorySummary[];
  readonly structure: readonly { readonly name: string; readonly description: string }[];
  readonly decisions: readonly { readonly key: string; readonly title: string; readonly decision: string }[];
}

export { projectIdForPath } from './project-id.js';

const packageJsonSchema = z.object({
  name: z.string().optional(),
  dependencies: z.record(z.string(), z.unknown()).optional(),
  devDependencies: z.record(z.string(), z.unknown()).optional(),
});

export function scanProject(projectPath: string, limits: ScanLimits = {}): ProjectScan {
  const root = path.resolve(projectPath);
  let rootStat;
  try {
    rootStat = statSync(root);
  } catch {
    throw new OrchestratorError('INVALID_INPUT', `project path does not exist: ${root}`);
  }
  if (!rootStat.isDirectory()) throw new OrchestratorError('INVALID_INPUT', `project path is not a directory: ${root}`);
  const maxFiles = limits.maxFiles ?? 5_000;
  const maxFileBytes = limits.maxFileBytes ?? 256 * 1024;

  const files: string[] = [];
  const directories = new Map<string, { files: number; languages: Map<string, number> }>();
  const languageCounts = new Map<string, number>();
  let truncated = false;

  const walk = (dir: string, rel: string, rules: readonly { base: string; ig: Ignore }[]): void => {
    if (truncated) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const own = entries.find((e) => e.isFile() && e.name === '.gitignore');
    const scoped = own ? [...rules, { base: rel, ig: ignore().add(readText(path.join(dir, '.gitignore'))) }] : rules;
    const summary = { files: 0, languages: new Map<string, number>() };
    for (const entry of entries) {
      if (truncated) break;
      const childRel = rel === '.' ? entry.name : `${rel}/${entry.name}`;
      if (entry.name.startsWith('.') && !ALLOWED_DOTFILES.has(entry.name)) continue;
      if (entry.isDirectory()) {
        if (isSkippedDirectory(entry.name) || isIgnored(scoped, childRel, true)) continue;
        walk(path.join(dir, entry.name), childRel, scoped);
      } else if (entry.isFile()) {
        if (isIgnored(scoped, childRel, false)) continue;
        if (files.length >= maxFiles) {
          truncated = true;
          break;
        }
        if (fileSize(path.join(dir, entry.name)) > maxFileBytes) continue;
        files.push(childRel);
        summary.files += 1;
        const language = LANGUAGE_MAP[path.extname(entry.name).toLowerCase()];
        if (language) {
          summary.languages.set(language, (summary.languages.get(language) ?? 0) + 1);
          languageCounts.set(language, (languageCounts.get(language) ?? 0) + 1);
        }
      }
    }
    if (summary.files > 0) directories.set(rel, summary);
  };
  walk(root, '.', []);

  const fileSet = new Set(files);
  const dirSet = new Set([...directories.keys()].flatMap((d) => ancestors(d)));
  const frameworks = new Set<string>();
  for (const [marker, framework] of FRAMEWORK_MARKERS) {
    if (marker.endsWith('/')) {
      if (dirSet.has(marker.slice(0, -1))) frameworks.add(framework);
    } else if (marker.endsWith('*')) {
      const prefix = marker.slice(0, -1);
      if (files.some((f) => !f.includes('/') && f.startsWith(prefix))) frameworks.add(framework);
    } else if (fileSet.has(marker)) frameworks.add(framework);
  }
  if (fileSet.has('package.json')) {
    const parsed = packageJsonSchema.safeParse(parseJson(readText(path.join(root, 'package.json'))));
    if (parsed.success) {
      for (const dep of [...Object.keys(parsed.data.dependencies ?? {}), ...Object.keys(parsed.data.devDependencies ?? {})]) {
        const framework = PACKAGE_FRAMEWORKS[dep];
        if (framework) frameworks.add(framework);
      }
    }
  }
  for (const file of ['pyproject.toml', 'requirements.txt']) {
    if (!fileSet.has(file)) continue;
    const text = readText(path.join(root, file)).toLowerCase();
    for (const name of PYTHON_FRAMEWORKS) if (new RegExp(`\\b${name}\\b`).test(text)) frameworks.add(name);
  }

  const topDirs = new Set([...dirSet].map((d) => d.split('/')[0] ?? d));
  const structure = STRUCTURE_PATTERNS.filter((p) => p.dirs.every((d) => topDirs.has(d))).map(({ name, description }) => ({ name, description }));

  const decisions: { key: string; title: string; decision: string }[] = [];
  const testing = ['pytest', 'jest', 'vitest', 'mocha', 'cypress', 'playwright'].filter((f) => frameworks.has(f));
  if (testing.length > 0) decisions.push({ key: 'testing', title: 'Testing approach', decision: `Tests use ${testing.join(', ')}.` });
  const ci = ['github-actions', 'gitlab-ci', 'circleci', 'jenkins'].filter((f) => frameworks.has(f));
  if (ci.length > 0) decisions.push({ key: 'ci', title: 'CI/CD', decision: `Continuous integration runs on ${ci.join(', ')}.` });
  if (frameworks.has('docker') || frameworks.has('docker-compose')) {
    decisions.push({ key: 'docker', title: 'Containerisation', decision: `The project ships container definitions (${['docker', 'docker-compose'].filter((f) => frameworks.has(f)).join(', ')}).` });
  }

  return {
    projectId: projectIdForPath(root),
    root,
    name: path.basename(root) || root,
    fileCount: files.length,
    truncated,
    languages: [...languageCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([language, count]) => ({ language, files: count })),
    frameworks: [...frameworks].sort(),
    directories: [...directories]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([dirPath, s]) => ({ path: dirPath, files: s.files, languages: [...s.languages].sort((a, b) => b[1] - a[1]).map(([l]) => l) })),
    structure,
    decisions,
  };
}

function isIgnored(rules: readonly { base: string; ig: Ignore }[], rel: string, isDir: boolean): boolean {
  for (const rule of rules) {
    const local = rule.base === '.' ? rel : rel.startsWith(`${rule.base}/`) ? rel.slice(rule.base.length + 1) : undefined;
    if (local === undefined || local === '') continue;
    if (rule.ig.ignores(isDir ? `${local}/` : local)) return true;
  }
  return false;
}

function ancestors(dir: string): string[] {
  if (dir === '.') return [];
  const parts = dir.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Size in bytes; unreadable files count as too big. */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
