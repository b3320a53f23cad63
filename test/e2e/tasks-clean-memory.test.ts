/**
 * `tasks clean` and context memory, through the real CLI: a dry run changes no row of the
 * database and says how many memory nodes would go; a clean leaves no memory node of the tasks
 * it deleted, so `context search` stops returning them; `--keep-memory` keeps them.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');

/** Every row of every table, in a stable order: what "changes nothing" is checked against. */
function snapshot(dbFile: string): Record<string, unknown[]> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    return Object.fromEntries(
      tables.map(({ name }) => {
        const rows = db.prepare(`SELECT * FROM "${name}"`).all();
        return [name, rows.map((row) => JSON.stringify(row)).sort()];
      }),
    );
  } finally {
    db.close();
  }
}

/** Memory nodes that belong to a task — its node, or naming it in their id or metadata — as "type id". */
function memoryOf(dbFile: string, taskId: string): string[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db
      .prepare<[string, string, string], { id: string; type: string }>(
        "SELECT id, type FROM context_nodes WHERE id = ? OR id LIKE ? || ':%' OR json_extract(metadata, '$.taskId') = ?",
      )
      .all(taskId, taskId, taskId)
      .map((row) => `${row.type} ${row.id}`);
  } finally {
    db.close();
  }
}

describe('tasks clean and context memory', () => {
  it('dry run changes nothing; clean removes the deleted tasks from memory unless --keep-memory', async () => {
    const home = tempDir('aio-home-');
    const work = tempDir('aio-work-');
    const dbFile = path.join(home, 'context.db');
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    /** The reviewer fails on its own (exit 1): a mistake of the task, stored with it. */
    const reviewerFails = (stderr: string): void =>
      writeFileSync(
        config,
        stringify({
          agents: {
            impl: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'Built it.' } },
            rev: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDERR: stderr, FAKE_EXIT: '1' } },
          },
          workflows: { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }] },
          settings: { enable_context_memory: true, max_iterations: 1, create_reports: false },
        }),
      );
    const env = { AI_ORCHESTRATOR_HOME: home };
    const cli = (args: readonly string[]) => runCli([...args, '--config', config], { env, cwd: work });
    const run = async (task: string): Promise<string> => {
      const result = await cli(['run', task, '--json', '--cwd', work]);
      expect([0, 1], result.stderr).toContain(result.code);
      return (JSON.parse(result.stdout) as { task_id: string }).task_id;
    };
    const searchTasks = async (words: string): Promise<string[]> => {
      const result = await cli(['context', 'search', words, '--json']);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { results: { id: string }[] }).results.map((r) => r.id);
    };

    reviewerFails('the ferry review crashed on its input');
    const kept = await run('Implement the ferry timetable importer');
    const keptNodes = memoryOf(dbFile, kept);
    const types = (nodes: readonly string[]): string[] => [...new Set(nodes.map((n) => n.split(' ')[0] ?? ''))].sort();
    expect(types(keptNodes)).toEqual(['agent_output', 'mistake', 'task']);

    // Dry run: it counts what would go and leaves every row as it was.
    const before = snapshot(dbFile);
    const dry = await cli(['tasks', 'clean', '--dry-run', '--older-than', '0s']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would remove ${keptNodes.length} memory nodes of those tasks`);
    const dryJson = await cli(['tasks', 'clean', '--dry-run', '--older-than', '0s', '--json']);
    expect(JSON.parse(dryJson.stdout)).toMatchObject({ dry_run: true, would_delete: [kept], would_forget_memory_nodes: keptNodes.length });
    expect(snapshot(dbFile)).toEqual(before);

    // --keep-memory: the task goes, its memory stays.
    const keep = await cli(['tasks', 'clean', '--older-than', '0s', '--keep-memory']);
    expect(keep.code, keep.stderr).toBe(0);
    expect(keep.stdout).toContain('kept their context memory');
    expect((await cli(['tasks', 'show', kept])).code).not.toBe(0);
    expect(memoryOf(dbFile, kept).sort()).toEqual([...keptNodes].sort());
    expect(await searchTasks('ferry timetable importer')).toContain(kept);

    // Without it, nothing of the deleted task remains in memory.
    // Another failure: its own mistake, not the same one as the ferry task's seen again.
    reviewerFails('schedule parser rejected depot rosters');
    const gone = await run('Implement the tram depot scheduler');
    const goneNodes = memoryOf(dbFile, gone);
    expect(types(goneNodes)).toEqual(['agent_output', 'mistake', 'task']);
    expect(await searchTasks('tram depot scheduler')).toContain(gone);
    const clean = await cli(['tasks', 'clean', '--older-than', '0s', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ deleted: 1, forgotten_memory_nodes: goneNodes.length });
    expect(memoryOf(dbFile, gone)).toEqual([]);
    expect((await searchTasks('tram depot scheduler')).filter((id) => id.startsWith(gone))).toEqual([]);
    // The memory kept earlier is not touched by a later clean.
    expect(memoryOf(dbFile, kept).sort()).toEqual([...keptNodes].sort());
  }, 120_000);
});
