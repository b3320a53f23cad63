import { describe, expect, it } from 'vitest';
import { MemoryManager } from './memory-manager.js';
import { EDGE_TYPES, NODE_TYPES } from './types.js';

const open = (): Promise<MemoryManager> => MemoryManager.open({ dbPath: ':memory:' });

describe('MemoryManager store', () => {
  it('keeps typed fields of a mistake on read, and a caller-chosen id', async () => {
    const memory = await open();
    const { node } = await memory.logMistake({
      description: 'Forgot to run migrations before tests',
      errorType: 'test_failure',
      errorMessage: 'no such table: users',
      correction: 'run npm run migrate first',
      severity: 'high',
      projectId: 'p1',
    });
    const read = memory.getNode(node.id);
    expect(read?.metadata).toMatchObject({ errorType: 'test_failure', severity: 'high', correction: 'run npm run migrate first', occurrences: 1 });
    expect(read?.importance).toBe(2);
    const custom = await memory.addNode({ id: 'my-id', type: 'concept', title: 'Idempotency', content: 'x' });
    expect(custom.id).toBe('my-id');
    memory.close();
  });

  it('upserts without losing edges (no REPLACE) and deletes edges with their nodes', async () => {
    const memory = await open();
    await memory.addNodes([
      { id: 'a', type: 'concept', title: 'A' },
      { id: 'b', type: 'concept', title: 'B' },
    ]);
    memory.link('a', 'b', 'related_to', 0.7);
    await memory.addNode({ id: 'a', type: 'concept', title: 'A renamed' });
    expect(memory.getNode('a')?.title).toBe('A renamed');
    expect(memory.edgesOf('a').outgoing).toMatchObject([{ targetId: 'b', type: 'related_to', weight: 0.7 }]);
    expect(memory.deleteNodes(['b'])).toBe(1);
    expect(memory.edgesOf('a').outgoing).toEqual([]);
    memory.close();
  });

  it('accepts all 11 node types and 12 edge types, rejects unknown ones with a clear error', async () => {
    const memory = await open();
    expect(NODE_TYPES).toHaveLength(11);
    expect(EDGE_TYPES).toHaveLength(12);
    await memory.addNodes(NODE_TYPES.map((type) => ({ id: type, type, title: `${type} node` })));
    for (const [i, type] of EDGE_TYPES.entries()) memory.link(NODE_TYPES[i % 11]!, NODE_TYPES[(i + 1) % 11]!, type);
    expect(memory.getStats()).toMatchObject({ nodes: 11, edges: 12 });
    await expect(memory.addNode({ type: 'nope' as never, title: 'x' })).rejects.toThrow(/invalid memory node/);
    expect(() => memory.link('task', 'missing', 'related_to')).toThrow(/no memory node with id missing/);
    memory.close();
  });

  it('de-duplicates a repeated mistake of the same type and project, not across projects or types', async () => {
    const memory = await open();
    const base = { description: 'Codex timed out on the implement step', errorType: 'timeout', errorMessage: 'killed after 3600 s', projectId: 'p1' };
    const first = await memory.logMistake(base);
    const second = await memory.logMistake(base);
    expect(second.deduplicated).toBe(true);
    expect(second.node.id).toBe(first.node.id);
    expect(memory.getNode(first.node.id)?.metadata['occurrences']).toBe(2);
    expect((await memory.logMistake({ ...base, projectId: 'p2' })).deduplicated).toBe(false);
    expect((await memory.logMistake({ ...base, errorType: 'auth' })).deduplicated).toBe(false);
    expect((await memory.logMistake({ ...base, description: 'Wrote the CSS grid wrong in the dashboard header', errorMessage: 'layout broken' })).deduplicated).toBe(false);
    memory.close();
  });

  it('stores a finished task with outputs and a mistake per failed step, linked by edges', async () => {
    const memory = await open();
    const stored = await memory.storeTask({
      taskId: 'task-42',
      description: 'Add pagination to the users endpoint',
      outcome: 'Pagination added with limit and offset',
      success: false,
      status: 'failed',
      workflow: 'default',
      agents: ['codex', 'claude'],
      projectId: 'proj',
      steps: [
        { agent: 'codex', role: 'implement', success: true, output: 'Implemented pagination', filesModified: ['src/users.ts'] },
        { agent: 'claude', role: 'review', success: false, output: '', error: { kind: 'timeout', message: 'review timed out' } },
      ],
    });
    expect(stored.task.id).toBe('task-42');
    expect(stored.outputs).toHaveLength(2);
    expect(stored.mistakes).toHaveLength(1);
    const taskEdges = memory.edgesOf('task-42');
    expect(taskEdges.incoming.filter((e) => e.type === 'produced_by')).toHaveLength(2);
    expect(taskEdges.incoming.filter((e) => e.type === 'caused_by').map((e) => e.sourceId)).toEqual([stored.mistakes[0]!.id]);
    expect(stored.mistakes[0]!.metadata).toMatchObject({ errorType: 'timeout', errorMessage: 'review timed out' });
    const hits = await memory.search('pagination users endpoint', { projectId: 'proj', types: ['task'] });
    expect(hits[0]?.node.id).toBe('task-42');
    memory.close();
  });

  it('builds relevant context within the token budget, mistakes first', async () => {
    const memory = await open();
    await memory.logMistake({ description: 'Used the wrong database driver for SQLite', errorType: 'wrong_dependency', correction: 'use better-sqlite3', projectId: 'p' });
    await memory.storePreference({ category: 'style', preference: 'Prefer small files with kebab-case names', projectId: 'p' });
    await memory.storeDecision({ title: 'Storage', decision: 'SQLite for all state', rationale: 'one file, no server', projectId: 'p' });
    for (let i = 0; i < 20; i++) {
      await memory.storeTask({ taskId: `t${i}`, description: `Improve the SQLite database layer part ${i} ${'with lots of detail '.repeat(10)}`, success: true, status: 'completed', projectId: 'p' });
    }
    const context = await memory.getRelevantContext('Change the SQLite database schema', { projectId: 'p', tokenBudget: 200 });
    expect(context.mistakes[0]?.text).toContain('better-sqlite3');
    expect(context.prompt).toContain('Mistakes to avoid');
    expect(context.prompt.indexOf('Mistakes to avoid')).toBeLessThan(context.prompt.indexOf('Preferences'));
    expect(context.estimatedTokens).toBeLessThanOrEqual(200);
    expect(context.tasks.length).toBeGreaterThan(0);
    const other = await memory.getRelevantContext('Change the SQLite database schema', { projectId: 'elsewhere' });
    expect(other.prompt).toBe('');
    memory.close();
  });

  it('round-trips the keyword index through a file: a new process finds old nodes', async () => {
    const { mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dbPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-mem-')), 'context.db');
    const first = await MemoryManager.open({ dbPath });
    await first.addNode({ type: 'concept', title: 'Backpressure', content: 'Slow consumers push back on fast producers' });
    const { closeAllDatabases } = await import('../storage/database.js');
    closeAllDatabases();
    const second = await MemoryManager.open({ dbPath, embedding: { provider: 'none' } });
    const hits = await second.search('producers consumers');
    expect(hits.map((h) => h.node.title)).toEqual(['Backpressure']);
    expect(hits[0]?.matchType).toBe('keyword');
    closeAllDatabases();
  });
});
