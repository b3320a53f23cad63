/**
 * The memory through the real CLI, in an isolated AI_ORCHESTRATOR_HOME: a task stored the way the
 * engine stores it is found by `context search` scoped to its project and not from another; the
 * Obsidian vault of a graph with every node type parses and links; scan/projects/delete-project;
 * a scan of this repository finds a file by words of its name;
 * JSON export → import round trip.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MemoryManager, NODE_TYPES, projectIdForPath } from '../../src/index.js';
import { closeAllDatabases, databasePath } from '../../src/storage/database.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

async function seededHome(): Promise<{ home: string; projectA: string; projectB: string }> {
  const home = tempDir('aio-ctx-home-');
  const projectA = tempDir('aio-ctx-a-');
  const projectB = tempDir('aio-ctx-b-');
  const memory = await MemoryManager.open({ dbPath: databasePath(home) });
  await memory.storeTask({
    taskId: 'task-7f3a',
    description: 'Add cursor pagination to the invoices endpoint',
    outcome: 'Cursor pagination implemented and reviewed',
    success: true,
    status: 'completed',
    workflow: 'default',
    agents: ['codex', 'claude'],
    projectId: projectIdForPath(projectA),
    steps: [
      { agent: 'codex', role: 'implement', success: true, output: 'Added cursor pagination', filesModified: ['src/invoices.ts'] },
      { agent: 'claude', role: 'review', success: false, output: '', error: { kind: 'timeout', message: 'review timed out after 600 s' } },
    ],
  });
  await memory.storeTask({ taskId: 'task-b', description: 'Unrelated styling work', success: true, status: 'completed', projectId: projectIdForPath(projectB) });
  memory.close();
  closeAllDatabases();
  return { home, projectA, projectB };
}

interface SearchJson {
  results: { id: string; type: string; projectId: string; matchType: string }[];
}

describe('context CLI', () => {
  it('finds a stored task by words of its description, scoped to its project, not from another project', async () => {
    const { home, projectA, projectB } = await seededHome();
    const env = { AI_ORCHESTRATOR_HOME: home };
    const inA = await runCli(['context', 'search', 'invoices', 'pagination', '--project', projectA, '--json'], { env });
    expect(inA.code, inA.stderr).toBe(0);
    const found = JSON.parse(inA.stdout) as SearchJson;
    expect(found.results.map((r) => r.id)).toContain('task-7f3a');
    expect(found.results.every((r) => r.projectId === projectIdForPath(projectA))).toBe(true);

    const byId = await runCli(['context', 'search', 'invoices pagination', '--project', projectIdForPath(projectA), '--type', 'task', '--json'], { env });
    expect((JSON.parse(byId.stdout) as SearchJson).results.map((r) => r.id)).toEqual(['task-7f3a']);

    const inB = await runCli(['context', 'search', 'invoices pagination', '--project', projectB, '--json'], { env });
    expect(inB.code, inB.stderr).toBe(0);
    const fromB = (JSON.parse(inB.stdout) as SearchJson).results;
    expect(fromB.map((r) => r.id)).not.toContain('task-7f3a');
    expect(fromB.every((r) => r.projectId === projectIdForPath(projectB))).toBe(true);
    expect(fromB).toEqual([]); // and nothing of B's own is similar enough to be a hit

    const human = await runCli(['context', 'search', 'invoices pagination', '--project', projectA], { env });
    expect(human.stdout).toContain('[task] Task: Add cursor pagination to the invoices endpoint');

    const special = await runCli(['context', 'search', 'a AND (b OR "NEAR* don\'t', '--json'], { env });
    expect(special.code, special.stderr).toBe(0);

    const badType = await runCli(['context', 'search', 'x', '--type', 'nope'], { env });
    expect(badType.code).toBe(2);
    expect(badType.stderr.trim()).toMatch(/^error: unknown node type "nope"/);
  });

  it('scans a project (respecting .gitignore), lists it, reports stats, deletes it', async () => {
    const home = tempDir('aio-ctx-home-');
    const project = tempDir('aio-ctx-proj-');
    mkdirSync(path.join(project, 'src'));
    mkdirSync(path.join(project, 'test'));
    mkdirSync(path.join(project, 'node_modules/lib'), { recursive: true });
    mkdirSync(path.join(project, 'generated'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'p', devDependencies: { vitest: '1' } }));
    writeFileSync(path.join(project, '.gitignore'), 'generated/\n');
    writeFileSync(path.join(project, 'src/a.ts'), 'export const a = 1;\n');
    writeFileSync(path.join(project, 'test/a.test.ts'), 'test\n');
    writeFileSync(path.join(project, 'node_modules/lib/x.js'), 'x\n');
    writeFileSync(path.join(project, 'generated/big.py'), 'x\n');
    const env = { AI_ORCHESTRATOR_HOME: home };
    const scan = await runCli(['context', 'scan', project, '--json'], { env });
    expect(scan.code, scan.stderr).toBe(0);
    const scanned = JSON.parse(scan.stdout) as { project: { projectId: string; languages: string[]; frameworks: string[]; fileCount: number } };
    expect(scanned.project.projectId).toBe(projectIdForPath(project));
    expect(scanned.project.languages).toEqual(['TypeScript']);
    expect(scanned.project.frameworks).toEqual(expect.arrayContaining(['node', 'vitest']));
    expect(scanned.project.fileCount).toBe(4);

    const projects = JSON.parse((await runCli(['context', 'projects', '--json'], { env })).stdout) as { projects: { projectId: string }[] };
    expect(projects.projects.map((p) => p.projectId)).toEqual([projectIdForPath(project)]);
    const stats = JSON.parse((await runCli(['context', 'stats', '--json'], { env })).stdout) as { nodes: number; nodesByType: Record<string, number> };
    expect(stats.nodesByType['project']).toBe(1);
    expect(stats.nodesByType['decision']).toBe(1);

    const deleted = await runCli(['context', 'delete-project', projectIdForPath(project), '--yes'], { env });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`deleted ${stats.nodes} nodes`);
    const again = await runCli(['context', 'delete-project', projectIdForPath(project), '--yes'], { env });
    expect(again.code).toBe(2);
  });

  it('scans this repository: `context search "circuit breaker"` returns src/resilience/circuit-breaker.ts; a rescan reads nothing', async () => {
    const env = { AI_ORCHESTRATOR_HOME: tempDir('aio-ctx-home-') };
    const scan = await runCli(['context', 'scan', REPO_ROOT], { env });
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toMatch(/files: \d+ — \d+ read, 0 unchanged; skipped \d+ binary and \d+ over 256 KB/);
    const search = await runCli(['context', 'search', 'circuit breaker'], { env });
    expect(search.code, search.stderr).toBe(0);
    expect(search.stdout).toMatch(/^\d+\. \[file\] src\/resilience\/circuit-breaker\.ts /m);
    const rescan = JSON.parse((await runCli(['context', 'scan', REPO_ROOT, '--json'], { env })).stdout) as { read: number; unchanged: number; removed: number };
    // Files this test run is writing (dist/ is skipped) could change meanwhile; the rest are not read again.
    expect(rescan.read).toBeLessThan(5);
    expect(rescan.unchanged).toBeGreaterThan(100);
  });

  it('exports an Obsidian vault of every node type: notes parse, wikilinks resolve, graph.json merged with 11 groups', async () => {
    const home = tempDir('aio-ctx-home-');
    const vault = tempDir('aio-ctx-vault-');
    const memory = await MemoryManager.open({ dbPath: databasePath(home) });
    await memory.addNodes([
      ...NODE_TYPES.map((type, i) => ({
        id: `n-${type}`,
        type,
        title: i === 0 ? 'Weird: name/with|chars [and] #tags? "quoted"' : `${type} note`,
        content: `Body of ${type}.\n---\nnot frontmatter`,
        tags: ['alpha', 'two words'],
        metadata: { note: 'line\nbreak "quoted"', count: 3, flag: true, nested: { x: 1 } },
        projectId: i % 2 === 0 ? 'proj' : '',
      })),
      { id: 'dup-1', type: 'concept', title: 'Same title', content: 'first', metadata: { note: 'line\nbreak "quoted"' } },
      { id: 'dup-2', type: 'concept', title: 'same title', content: 'second', metadata: { note: 'line\nbreak "quoted"' } },
    ]);
    for (let i = 0; i < NODE_TYPES.length; i++) memory.link(`n-${NODE_TYPES[i]!}`, `n-${NODE_TYPES[(i + 1) % NODE_TYPES.length]!}`, 'related_to');
    memory.close();
    closeAllDatabases();
    mkdirSync(path.join(vault, '.obsidian'));
    writeFileSync(
      path.join(vault, '.obsidian/graph.json'),
      JSON.stringify({ repelStrength: 42, colorGroups: [{ query: 'path:Journal', color: { a: 1, rgb: 255 } }, { query: 'tag:#task', color: { a: 1, rgb: 1 } }] }),
    );
    const result = await runCli(['context', 'export', '--obsidian', vault], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('wrote 13 notes and 11 links');

    const notes = listMarkdown(vault);
    const linkTargets = new Set(notes.map((n) => n.replace(/\.md$/, '')));
    expect(notes.filter((n) => n !== '_Index.md')).toHaveLength(13);
    let links = 0;
    for (const note of notes) {
      const text = readFileSync(path.join(vault, note), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      expect(match, note).not.toBeNull();
      const frontmatter = parseYaml(match![1]!) as Record<string, unknown>;
      expect(Array.isArray(frontmatter['tags']), note).toBe(true);
      if (note !== '_Index.md') {
        expect(NODE_TYPES).toContain(frontmatter['type']);
        expect((frontmatter['tags'] as string[])[0]).toBe(frontmatter['type']);
        expect(frontmatter['created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(frontmatter['note']).toBe('line\nbreak "quoted"');
      }
      for (const [, target] of match![2]!.matchAll(/\[\[([^\]|]+)(?:\|[^\]]*)?\]\]/g)) {
        links += 1;
        expect(linkTargets.has(target!), `${note} → ${target}`).toBe(true);
      }
    }
    expect(links).toBeGreaterThanOrEqual(22 + 11);
    // Unsafe characters replaced; names unique per folder even when they differ only in case.
    expect(notes).toEqual(expect.arrayContaining(['Conversations/Weird- name-with-chars -and- -tags- -quoted-.md']));
    expect(notes.filter((n) => n.toLowerCase().startsWith('concepts/same title')).sort()).toEqual(['Concepts/Same title.md', 'Concepts/same title 1.md']);

    const graph = JSON.parse(readFileSync(path.join(vault, '.obsidian/graph.json'), 'utf8')) as { repelStrength: number; showTags: boolean; colorGroups: { query: string; color: { a: number; rgb: number } }[] };
    const typeGroups = graph.colorGroups.filter((g) => g.query.startsWith('tag:#'));
    expect(typeGroups).toHaveLength(11);
    expect(typeGroups.find((g) => g.query === 'tag:#task')?.color).toEqual({ a: 1, rgb: 0x4caf50 });
    expect(graph.colorGroups).toContainEqual({ query: 'path:Journal', color: { a: 1, rgb: 255 } });
    expect(graph.repelStrength).toBe(42);
    expect(graph.showTags).toBe(true);
  });

  it('round-trips the whole graph through export --json and import', async () => {
    const { home } = await seededHome();
    const file = path.join(tempDir('aio-ctx-json-'), 'graph.json');
    const exported = await runCli(['context', 'export', '--json', file], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(exported.code, exported.stderr).toBe(0);
    const other = tempDir('aio-ctx-home2-');
    const imported = await runCli(['context', 'import', file], { env: { AI_ORCHESTRATOR_HOME: other } });
    expect(imported.code, imported.stderr).toBe(0);
    const statsOf = async (h: string): Promise<unknown> => {
      const { nodes, edges, nodesByType, edgesByType } = JSON.parse((await runCli(['context', 'stats', '--json'], { env: { AI_ORCHESTRATOR_HOME: h } })).stdout) as Record<string, unknown>;
      return { nodes, edges, nodesByType, edgesByType };
    };
    expect(await statsOf(other)).toEqual(await statsOf(home));
    const original = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { id: string; createdAt: string }[] };
    const again = path.join(tempDir('aio-ctx-json-'), 'again.json');
    await runCli(['context', 'export', '--json', again], { env: { AI_ORCHESTRATOR_HOME: other } });
    const reexported = JSON.parse(readFileSync(again, 'utf8')) as { nodes: { id: string; createdAt: string }[] };
    expect(reexported.nodes.map((n) => [n.id, n.createdAt]).sort()).toEqual(original.nodes.map((n) => [n.id, n.createdAt]).sort());
    const bad = await runCli(['context', 'import', file.replace('graph.json', 'missing.json')], { env: { AI_ORCHESTRATOR_HOME: other } });
    expect(bad.code).toBe(2);
  });
});

function listMarkdown(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === '.obsidian' ? [] : listMarkdown(root, rel);
    return entry.name.endsWith('.md') ? [rel] : [];
  });
}
