/**
 * The layering of docs/architecture.md, enforced: lower layers never import upper ones, and only
 * src/process starts processes. Fails the build when a shortcut appears.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;
const LAYER: Readonly<Record<string, number>> = {
  shared: 0, process: 0, config: 0, observability: 0, security: 0, storage: 0,
  adapters: 1, resilience: 1, context: 1, events: 1, workspace: 1,
  workflow: 2, tasks: 2, queue: 2,
  service: 3,
  cli: 4, server: 4, mcp: 4, worker: 4,
};
// src/bin.ts, the binary, sits above everything: it composes the surfaces' commands.
/** The user surfaces: side by side on top, each only translating to the service below. */
const SURFACES = ['cli', 'server', 'mcp', 'worker'];
/** Metrics and health read the event stream and the health store: they sit beside the engine. */
const FILE_LAYER: Readonly<Record<string, number>> = {
  'observability/metrics.ts': 2,
  'observability/health.ts': 2,
};

function layerOf(file: string): number | undefined {
  const relative = path.relative(SRC, file).split(path.sep).join('/');
  const own = FILE_LAYER[relative];
  if (own !== undefined) return own;
  const folder = topFolder(file);
  return folder === undefined ? undefined : LAYER[folder];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function topFolder(file: string): string | undefined {
  const relative = path.relative(SRC, file);
  return relative.includes(path.sep) ? relative.split(path.sep)[0] : undefined;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('keeps every import pointing down or sideways, never up a layer', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from === undefined) continue;
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = path.resolve(path.dirname(file), (match[1] ?? match[2] ?? '').replace(/\.js$/, '.ts'));
        const to = layerOf(target);
        if (to !== undefined && to > from) violations.push(`${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps the user surfaces from importing each other', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = topFolder(file);
      if (from === undefined || !SURFACES.includes(from)) continue;
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = path.resolve(path.dirname(file), (match[1] ?? match[2] ?? '').replace(/\.js$/, '.ts'));
        const to = topFolder(target);
        if (to !== undefined && to !== from && SURFACES.includes(to)) violations.push(`${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('prints only in the surfaces: below them, everything is an event or a log line', () => {
    const printers = files
      // The binary (src/bin.ts) is above the surfaces: it prints the version itself.
      .filter((file) => topFolder(file) !== undefined && !SURFACES.includes(topFolder(file) ?? ''))
      // The logger is where log lines are written (to stderr, never stdout).
      .filter((file) => path.relative(SRC, file) !== path.join('observability', 'logger.ts'))
      .filter((file) => /process\.(stdout|stderr)\.write|console\.(log|error|warn|info)/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(printers).toEqual([]);
  });

  it('starts processes only in src/process', () => {
    const offenders = files
      .filter((file) => topFolder(file) !== 'process')
      .filter((file) => /from\s+['"](node:)?child_process['"]/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(offenders).toEqual([]);
  });

  it('recognises an upward import when there is one (the check itself works)', () => {
    const sample = "import { x } from '../../cli/output.js';";
    const match = [...sample.matchAll(IMPORT)][0];
    expect(topFolder(path.resolve(path.join(SRC, 'workflow', 'deep'), match?.[1] ?? ''))).toBe('cli');
  });
});
