/**
 * Reads a project's tree into memory: its files (path, language, size, top-level symbols and the
 * head comment's first sentence), languages, frameworks, layout and the decisions its files reveal
 * (testing, CI/CD, containers). It skips what git ignores, dependency and build folders, dotfiles,
 * binary files (by extension, or a NUL byte in the first 8,000 bytes), files over 256 KB, and
 * stops after 100,000 files. A file the caller already knows with the same size and mtime is not
 * read again. The project id is the first 16 hex digits of SHA-256 of the absolute normalised
 * path, so the same checkout always maps to the same memory.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { OrchestratorError } from '../shared/errors.js';
import { projectIdForPath } from './project-id.js';
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
import { outlineBytes, type SourceOutline } from './source-outline.js';
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
  /** Binary files (by extension or content); files over the size limit. Unreadable ones are not counted. */
  readonly skipped: { readonly binary: number; readonly tooLarge: number };
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
  const reader = createFileReader(maxFileBytes);
  for (const walked of walk.files) {
    const slash = walked.path.lastIndexOf('/');
    const name = walked.path.slice(slash + 1);
    const ext = path.extname(name).toLowerCase();
    if (BINARY_EXTENSIONS.has(ext)) {
      skipped.binary += 1;
      continue;
    }
    const language = LANGUAGE_MAP[ext] ?? FORMAT_MAP[ext] ?? FILE_NAME_FORMATS[name] ?? '';
    let file: { size: number; mtimeMs: number; outline?: SourceOutline } | undefined;
    const known = options.known?.(walked.path);
    if (known) {
      // Known from the last scan: a stat decides whether it must be read again.
      const stat = statSync(walked.absolute, { throwIfNoEntry: false });
      if (stat && stat.size === known.size && stat.mtimeMs === known.mtimeMs && stat.size <= maxFileBytes) {
        file = { size: stat.size, mtimeMs: stat.mtimeMs };
      }
    }
    if (!file) {
      const content = reader.read(walked.absolute);
      if (content.kind !== 'text') {
        if (content.kind === 'binary') skipped.binary += 1;
        else if (content.kind === 'too-large') skipped.tooLarge += 1;
        continue;
      }
      read += 1;
      file = { size: content.size, mtimeMs: content.mtimeMs, outline: outlineBytes(content.bytes, content.length, language) };
    }
    files.push({ path: walked.path, language, ...file });
    const dir = slash < 0 ? '.' : walked.path.slice(0, slash);
    let summary = directories.get(dir);
    if (!summary) {
      summary = { files: 0, languages: new Map<string, number>() };
      directories.set(dir, summary);
    }
    summary.files += 1;
    const counted = LANGUAGE_MAP[ext];
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

type FileContent =
  /** `bytes` is the reader's buffer: valid until its next read. */
  | { readonly kind: 'text'; readonly bytes: Buffer; readonly length: number; readonly size: number; readonly mtimeMs: number }
  | { readonly kind: 'binary' | 'too-large' | 'unreadable' };

/**
 * Reads files through one reused buffer: open, fstat (size and mtime of what is read), read,
 * close — what reading a file costs anyway — and no buffer allocated per file.
 */
function createFileReader(maxFileBytes: number): { read(file: string): FileContent } {
  let buffer = Buffer.allocUnsafe(64 * 1024);
  return {
    read(file) {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch {
        return { kind: 'unreadable' }; // removed since the walk, or no permission
      }
      try {
        const stat = fstatSync(fd);
        if (stat.size > maxFileBytes) return { kind: 'too-large' };
        if (buffer.length < stat.size) buffer = Buffer.allocUnsafe(Math.max(stat.size, buffer.length * 2));
        let length = 0;
        while (length < stat.size) {
          const got = readSync(fd, buffer, length, stat.size - length, length);
          if (got === 0) break;
          length += got;
        }
        if (buffer.subarray(0, Math.min(length, BINARY_SNIFF_BYTES)).includes(0)) return { kind: 'binary' };
        return { kind: 'text', bytes: buffer, length, size: stat.size, mtimeMs: stat.mtimeMs };
      } catch {
        return { kind: 'unreadable' };
      } finally {
        closeSync(fd);
      }
    },
  };
}
