import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryManager } from './memory-manager.js';
import { projectIdForPath, scanProject } from './project-scanner.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-scan-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('project scanner', () => {
  it('derives the id from sha256 of the absolute normalised path', () => {
    const root = tree({ 'a.py': '' });
    const expected = createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16);
    expect(projectIdForPath(root)).toBe(expected);
    expect(projectIdForPath(`${root}/./`)).toBe(expected);
    expect(projectIdForPath(path.join(root, 'x', '..'))).toBe(expected);
  });

  it('honours nested .gitignore files, skipped folders, dotfiles, size and count limits', () => {
    const root = tree({
      '.gitignore': '*.log\n',
      'pkg/.gitignore': 'secret/\n',
      'pkg/secret/key.py': '',
      'pkg/ok.py': '',
      'debug.log': '',
      '.env': 'X=1',
      '.github/workflows/ci.yml': '',
      'node_modules/x/index.js': '',
      'build/out.js': '',
      'big.py': 'x'.repeat(300 * 1024),
      'pyproject.toml': '[project]\ndependencies = ["fastapi", "pydantic"]\n',
      'Dockerfile': '',
    });
    const scan = scanProject(root);
    const files = scan.directories.map((d) => d.path);
    expect(files).toEqual(['.', '.github/workflows', 'pkg']);
    expect(scan.fileCount).toBe(6);
    expect(scan.frameworks).toEqual(expect.arrayContaining(['python', 'fastapi', 'pydantic', 'docker', 'github-actions']));
    expect(scan.decisions.map((d) => d.key).sort()).toEqual(['ci', 'docker']);
    expect(scanProject(root, { maxFiles: 2 })).toMatchObject({ fileCount: 2, truncated: true });
  });

  it('rescans in place: scanner nodes updated or removed, learned memory kept', async () => {
    const root = tree({ 'src/a.ts': '', 'tests/a.test.ts': '', 'Dockerfile': '' });
    const memory = await MemoryManager.open({ dbPath: ':memory:' });
    const first = await memory.registerProject(root);
    const pid = first.project.projectId;
    await memory.storeDecision({ title: 'Use zod', decision: 'validate at boundaries', projectId: pid });
    expect(memory.listNodes({ projectId: pid, types: ['decision'] }).map((n) => n.title).sort()).toEqual(['Containerisation', 'Use zod']);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(root, 'Dockerfile'));
    const second = await memory.rescanProject(root);
    expect(second.removed).toBeGreaterThan(0);
    expect(memory.listNodes({ projectId: pid, types: ['decision'] }).map((n) => n.title)).toEqual(['Use zod']);
    expect(memory.edgesOf(`project:${pid}`).outgoing.some((e) => e.type === 'contains')).toBe(true);
    expect(memory.deleteProject(pid)).toBeGreaterThan(0);
    expect(memory.listProjects()).toEqual([]);
    memory.close();
  });
});
