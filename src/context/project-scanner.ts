/**
 * Reads a project's tree into memory: its files (path, language, size, top-level symbols and the
 * head comment's first sentence), languages, frameworks, layout and the decisions its files reveal
 * (testing, CI/CD, containers). It skips what git ignores, dependency and build folders, dotfiles,
 * binary files (by extension, or a NUL byte in the first 8,000 bytes), files over 256 KB, and
 * stops after 100,000 files. A file the caller already knows with the same size and mtime is not
 * read again. The project id is the first 16 hex digits of SHA-256 of the absolute normalised
 * path, so the same checkout always maps to the same memory.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { OrchestratorError } from '../shared/errors.js';
import { parseJson } from './parse-json.js';
import { readText, walkProject } from './project-walk.js';
import {
  BINARY_EXTENSIONS,
  FILE_NAME_FORMATS,
  FORMAT_MAP,
  FRAMEWORK_MARKERS,
  LANGUAGE_MAP,
  PACKAGE_FRAMEWORKS,
  PYTHON_FRAMEWORKS,
  STRUCTURE_PATTERNS,
} from './scanner-rules.js';
import { outlineSource, type SourceOutline } from './source-outline.js';
import { z } from 'zod';

export const DEFAULT_MAX_FILES = 100_000;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024;
/** git's test for a binary file: a NUL byte among the first 8,000 bytes. */
const BINARY_SNIFF_BYTES = 8_000;

export interface ScanLimits {
  /** Default 100,000. */
  readonly maxFiles?: number;
  /** Default 256 KB: bigger files are skipped (generated code, bundles, data). */
  readonly maxFileBytes?: number;
}

/** What a previous scan stored of a file: same size and mtime → not read again. */
export interface KnownFile {
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ScanOptions extends ScanLimits {
  /** Files stored by an earlier scan, by relative path. */
  readonly known?: (relativePath: string) => KnownFile | undefined;
}

export interface ScannedFile {
  /** Relative to the root, '/'-separated. */
  readonly path: string;
  /** A language of LANGUAGE_MAP, a format of FORMAT_MAP, or '' when unknown. */
  readonly language: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Read this time; undefined when unchanged since the earlier scan (`known`) and not read. */
  readonly outline?: SourceOutline;
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
  /** When the walk began (epoch ms): a file modified since may have changed while it was read. */
  readonly startedAtMs: number;
  /** Files kept, in walk order. */
  readonly files: readonly ScannedFile[];
  /** How many files were read this time (the others were unchanged). */
  readonly read: number;
  readonly skipped: { readonly binary: number; readonly tooLarge: number };
  /** Most files first. */
  readonly languages: readonly { readonly language: string; readonly files: number }[];
  readonly frameworks: readonly string[];
  readonly directories: readonly DirectorySummary[];
  readonly structure: readonly { readonly name: string; readonly description: string }[];
  readonly decisions: readonly { readonly key: string; readonly title: string; readonly decision: string }[];
}

/** The deterministic project id of a path: sha256(absolute normalised path)[:16]. */
export function projectIdForPath(projectPath: string): string {
  const normalised = path.resolve(projectPath).replace(/[\\/]+$/, '') || path.sep;
  return createHash('sha256').update(normalised).digest('hex').slice(0, 16);
}

const packageJsonSchema = z.object({
  name: z.string().optional(),
  dependencies: z.record(z.string(), z.unknown()).optional(),
  devDependencies: z.record(z.string(), z.unknown()).optional(),
});

/** The language (or text format) of a file by its name; '' when unknown. */
export function languageOf(fileName: string): string {
  const ext = path.extname(fileName).toLowerCase();
  return LANGUAGE_MAP[ext] ?? FORMAT_MAP[ext] ?? FILE_NAME_FORMATS[fileName] ?? '';
}

export function scanProject(projectPath: string, options: ScanOptions = {}): ProjectScan {
  const root = path.resolve(projectPath);
  let rootStat;
  try {
    rootStat = statSync(root);
  } catch {
    throw new OrchestratorError('INVALID_INPUT', `project path does not exist: ${root}`);
  }
  if (!rootStat.isDirectory()) throw new OrchestratorError('INVALID_INPUT', `project path is not a directory: ${root}`);
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const startedAtMs = Date.now();
  const walk = walkProject(root, maxFiles);

  const files: ScannedFile[] = [];
  const skipped = { binary: 0, tooLarge: 0 };
  let read = 0;
  const directories = new Map<string, { files: number; languages: Map<string, number> }>();
  const languageCounts = new Map<string, number>();
  for (const walked of walk.files) {
    if (walked.size > maxFileBytes) {
      skipped.tooLarge += 1;
      continue;
    }
    const name = path.posix.basename(walked.path);
    if (BINARY_EXTENSIONS.has(path.extname(name).toLowerCase())) {
      skipped.binary += 1;
      continue;
    }
    const language = languageOf(name);
    const known = options.known?.(walked.path);
    let outline: SourceOutline | undefined;
    if (!known || known.size !== walked.size || known.mtimeMs !== walked.mtimeMs) {
      const text = readSourceText(walked.absolute);
      if (text === undefined) {
        skipped.binary += 1;
        continue;
      }
      read += 1;
      outline = outlineSource(text, language);
    }
    files.push({ path: walked.path, language, size: walked.size, mtimeMs: walked.mtimeMs, ...(outline ? { outline } : {}) });
    const dir = path.posix.dirname(walked.path);
    const summary = directories.get(dir) ?? { files: 0, languages: new Map<string, number>() };
    directories.set(dir, summary);
    summary.files += 1;
    const counted = LANGUAGE_MAP[path.extname(name).toLowerCase()];
    if (counted) {
      summary.languages.set(counted, (summary.languages.get(counted) ?? 0) + 1);
      languageCounts.set(counted, (languageCounts.get(counted) ?? 0) + 1);
    }
  }
  const paths = files.map((f) => f.path);
  const fileSet = new Set(paths);
  const dirSet = new Set([...directories.keys()].flatMap((d) => ancestors(d)));
  const frameworks = new Set<string>();
  for (const [marker, framework] of FRAMEWORK_MARKERS) {
    if (marker.endsWith('/')) {
      if (dirSet.has(marker.slice(0, -1))) frameworks.add(framework);
    } else if (marker.endsWith('*')) {
      const prefix = marker.slice(0, -1);
      if (paths.some((f) => !f.includes('/') && f.startsWith(prefix))) frameworks.add(framework);
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
    truncated: walk.truncated,
    startedAtMs,
    files,
    read,
    skipped,
    languages: [...languageCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([language, count]) => ({ language, files: count })),
    frameworks: [...frameworks].sort(),
    directories: [...directories]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([dirPath, s]) => ({ path: dirPath, files: s.files, languages: [...s.languages].sort((a, b) => b[1] - a[1]).map(([l]) => l) })),
    structure,
    decisions,
  };
}

function ancestors(dir: string): string[] {
  if (dir === '.') return [];
  const parts = dir.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The file as text, or undefined when it is binary (a NUL byte early on) or unreadable. */
function readSourceText(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const head = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (head.includes(0)) return undefined;
  return bytes.toString('utf8');
}
