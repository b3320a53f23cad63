/**
 * Project files in memory: what a scan stores from a fixture tree, what an incremental rescan
 * reads and writes, that search finds a file by the words of its path, symbols and head comment —
 * in a fixture and in this repository — and that a task's relevant context names matching files.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryManager } from './memory-manager.js';
import type { MemoryNode } from './types.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** An hour ago: files older than the scan's racy window, as files of a real checkout are. */
const PAST = new Date(Date.now() - 3_600_000);

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const memory of opened.splice(0)) memory.close();
});

async function openMemory(): Promise<MemoryManager> {
  const memory = await MemoryManager.open({ dbPath: ':memory:' });
  opened.push(memory);
  return memory;
}

function tree(files: Record<string, string | Buffer>, mtime: Date = PAST): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-files-'));
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, mtime, mtime);
  }
  return root;
}

function fileNodes(memory: MemoryManager, projectId: string): Map<string, MemoryNode> {
  const nodes = memory.listNodes({ projectId, types: ['file'], tags: ['file'] });
  return new Map(nodes.map((node) => [node.title, node]));
}

const BREAKER = `/**
 * Stops calling a failing service for a while: a half-open trial decides when to resume.
 */
export class Breaker {}
export function tripAfter(failures: number): Breaker {
  return new Breaker();
}
`;

const FIXTURE = {
  '.gitignore': 'logs/\n*.tmp\n!keep.tmp\n',
  'src/guard/request-guard.ts': BREAKER,
  'src/guard/nested/deep/limits.py': '"""Token bucket limits."""\nMAX_TOKENS = 5\ndef take():\n    pass\n',
  'src/server/main.go': '// Package server answers HTTP.\npackage server\nfunc Serve() {}\n',
  'src/generated/.gitignore': '*.gen.ts\n',
  'src/generated/schema.gen.ts': 'export const generated = 1;\n',
  'src/generated/index.ts': 'export { generated } from "./schema.gen.js";\n',
  'logs/today.log': 'ignored folder\n',
  'scratch.tmp': 'ignored by pattern\n',
  'keep.tmp': 're-included by a negation\n',
  'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
  'data/blob.dat': Buffer.concat([Buffer.from('looks like text '), Buffer.from([0, 1, 2, 3])]),
  'db/dump.sql': 'x'.repeat(300 * 1024),
  'big/huge.ts': `// Huge.\n${'export const x = 1;\n'.repeat(20_000)}`,
  'README.md': '# Fixture service\n\nText.\n',
  'node_modules/dep/index.js': 'module.exports = 1;\n',
};

describe('project files in memory', () => {
  it('stores files with language, size, symbols and summary; skips ignored, binary and huge files', async () => {
    const root = tree(FIXTURE);
    const memory = await openMemory();
    const { project, scan } = await memory.registerProject(root);
    const files = fileNodes(memory, project.projectId);
    expect([...files.keys()].sort()).toEqual([
      '.gitignore',
      'README.md',
      'keep.tmp',
      'src/generated/.gitignore',
      'src/generated/index.ts',
      'src/guard/nested/deep/limits.py',
      'src/guard/request-guard.ts',
      'src/server/main.go',
    ]);
    expect(scan.skipped).toEqual({ binary: 2, tooLarge: 2 });
    expect(files.get('src/guard/request-guard.ts')).toMatchObject({
      title: 'src/guard/request-guard.ts',
      tags: ['file', 'typescript'],
      metadata: {
        kind: 'file',
        language: 'TypeScript',
        size: Buffer.byteLength(BREAKER),
        symbols: ['Breaker', 'tripAfter'],
        summary: 'Stops calling a failing service for a while: a half-open trial decides when to resume.',
      },
    });
    expect(files.get('src/guard/nested/deep/limits.py')?.metadata).toMatchObject({ language: 'Python', symbols: ['MAX_TOKENS', 'take'], summary: 'Token bucket limits.' });
    expect(files.get('src/server/main.go')?.metadata).toMatchObject({ language: 'Go', symbols: ['Serve'], summary: 'Package server answers HTTP.' });
    expect(files.get('README.md')?.metadata).toMatchObject({ language: 'Markdown', summary: 'Fixture service' });
    // Each file hangs off its directory, which hangs off the project.
    const dir = memory.edgesOf(`project:${project.projectId}:dir:src/guard/nested/deep`);
    expect(dir.outgoing.map((e) => e.targetId)).toEqual([`project:${project.projectId}:file:src/guard/nested/deep/limits.py`]);
    expect(dir.incoming.map((e) => e.sourceId)).toEqual([`project:${project.projectId}`]);
  });

  it('finds a file by words of its path split on separators and camelCase, its symbols and its head comment', async () => {
    const memory = await openMemory();
    const { project } = await memory.registerProject(tree(FIXTURE));
    const top = async (query: string): Promise<string | undefined> =>
      (await memory.search(query, { projectId: project.projectId, types: ['file'], limit: 3 }))[0]?.node.title;
    expect(await top('request guard')).toBe('src/guard/request-guard.ts');
    expect(await top('trip after')).toBe('src/guard/request-guard.ts');
    expect(await top('half-open trial')).toBe('src/guard/request-guard.ts');
    expect(await top('token bucket')).toBe('src/guard/nested/deep/limits.py');
  });

  it('rescans incrementally: only a changed file is read and written again, a deleted one is removed', async () => {
    const root = tree(FIXTURE);
    const memory = await openMemory();
    const first = await memory.registerProject(root);
    const pid = first.project.projectId;
    expect(first.scan.read).toBe(8);
    const before = fileNodes(memory, pid);

    await new Promise((resolve) => setTimeout(resolve, 5)); // a rewrite would carry a later updatedAt
    const unchanged = await memory.registerProject(root);
    expect(unchanged.scan.read).toBe(0);
    expect(unchanged.written).toBe(1); // the project node, which carries the scan time
    expect(unchanged.removed).toBe(0);
    expect(fileNodes(memory, pid)).toEqual(before);

    const changed = path.join(root, 'src/server/main.go');
    writeFileSync(changed, '// Package server answers HTTP and gRPC.\npackage server\nfunc Serve() {}\nfunc ServeGRPC() {}\n');
    utimesSync(changed, PAST, new Date(PAST.getTime() + 1_000));
    rmSync(path.join(root, 'src/guard/nested/deep/limits.py'));
    const second = await memory.registerProject(root);
    expect(second.scan.files.filter((f) => f.outline).map((f) => f.path)).toEqual(['src/server/main.go']);
    expect(second.scan.read).toBe(1);
    const after = fileNodes(memory, pid);
    expect(after.has('src/guard/nested/deep/limits.py')).toBe(false);
    // The directory that held only the deleted file is gone with it.
    expect(memory.getNode(`project:${pid}:dir:src/guard/nested/deep`)).toBeUndefined();
    expect(after.get('src/server/main.go')?.metadata['symbols']).toEqual(['Serve', 'ServeGRPC']);
    expect(after.get('src/server/main.go')?.updatedAt).not.toBe(before.get('src/server/main.go')?.updatedAt);
    for (const file of ['src/guard/request-guard.ts', 'README.md', 'src/generated/index.ts']) {
      expect(after.get(file), file).toEqual(before.get(file));
    }
    expect((await memory.search('token bucket', { projectId: pid, types: ['file'] })).map((h) => h.node.title)).not.toContain('src/guard/nested/deep/limits.py');
  });

  it('removes file nodes no scan recorded (an older scanner, an import) once their file is gone', async () => {
    const root = tree({ 'kept.ts': 'export const kept = 1;\n' });
    const memory = await openMemory();
    const { project } = await memory.registerProject(root);
    const orphan = `project:${project.projectId}:file:gone.ts`;
    await memory.addNode({ id: orphan, type: 'file', title: 'gone.ts', projectId: project.projectId, metadata: { source: 'scanner', kind: 'file', path: 'gone.ts' } });
    const user = await memory.addNode({ type: 'file', title: 'notes about gone.ts', projectId: project.projectId });
    const again = await memory.registerProject(root);
    expect(again.removed).toBe(1);
    expect(memory.getNode(orphan)).toBeUndefined();
    expect(memory.getNode(user.id)).toBeDefined();
    expect([...fileNodes(memory, project.projectId).keys()]).toEqual(['kept.ts']);
  });

  it('reads a file again when it changed so recently that its mtime may not show the next change', async () => {
    const root = tree({ 'fresh.ts': 'export const a = 1;\n' }, new Date());
    const memory = await openMemory();
    await memory.registerProject(root);
    // Same size, same mtime: only the racy-window rule makes the second scan look at it.
    expect((await memory.registerProject(root)).scan.read).toBe(1);
  });

  it('puts the project files that match a task into its relevant context', async () => {
    const memory = await openMemory();
    const { project } = await memory.registerProject(tree(FIXTURE));
    const context = await memory.getRelevantContext('Make the request guard trip after five failures', { projectId: project.projectId });
    expect(context.files.map((f) => f.title)).toContain('src/guard/request-guard.ts');
    expect(context.prompt).toContain('### Project files that may be relevant');
    expect(context.prompt).toContain(
      '- src/guard/request-guard.ts — Stops calling a failing service for a while: a half-open trial decides when to resume. (Breaker, tripAfter)',
    );
    // Directories are file nodes too, but not files to open.
    expect(context.files.every((f) => !f.title.endsWith('/'))).toBe(true);
  });

  it('a scan of this repository finds src/resilience/circuit-breaker.ts for "circuit breaker"', async () => {
    const memory = await openMemory();
    await memory.registerProject(REPO_ROOT);
    const hits = await memory.search('circuit breaker', { limit: 10 });
    expect(hits.map((h) => h.node.title)).toContain('src/resilience/circuit-breaker.ts');
  });
});
