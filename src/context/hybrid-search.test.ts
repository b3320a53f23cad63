import { describe, expect, it } from 'vitest';
import { MemoryManager } from './memory-manager.js';

const SPECIAL_INPUTS = ['multi-agent', 'a/b', "don't", '20.04', '"', 'AND', '*', 'NEAR', 'NEAR(a b)', '(', ')', 'OR', 'NOT', '-', '^', ':', 'title:x', '', '   ', '""""', 'a AND (b OR', '🚀'];

describe('search', () => {
  it('never raises on FTS5 special inputs: results or an empty list', async () => {
    const memory = await MemoryManager.open({ dbPath: ':memory:' });
    await memory.addNodes([
      { type: 'concept', title: 'Multi-agent orchestration', content: 'Agents hand work to each other: a/b testing of prompts.' },
      { type: 'decision', title: 'Ubuntu 20.04 base image', content: "We don't upgrade the base image during a release. AND gates everywhere." },
    ]);
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      for (const input of SPECIAL_INPUTS) {
        const results = await memory.search(input, { mode });
        expect(Array.isArray(results), `${mode} ${JSON.stringify(input)}`).toBe(true);
      }
    }
    expect((await memory.search('multi-agent', { mode: 'keyword' }))[0]?.node.title).toBe('Multi-agent orchestration');
    expect((await memory.search('20.04', { mode: 'keyword' }))[0]?.node.title).toBe('Ubuntu 20.04 base image');
    expect((await memory.search("don't upgrade"))[0]?.node.title).toBe('Ubuntu 20.04 base image');
    expect(await memory.search('')).toEqual([]);
    memory.close();
  });

  it('filters by type, project, tags and minimum importance; a project scope never leaks another project', async () => {
    const memory = await MemoryManager.open({ dbPath: ':memory:' });
    await memory.addNodes([
      { id: 'p1-task', type: 'task', title: 'Cache invalidation for sessions', projectId: 'p1', tags: ['backend'], importance: 2 },
      { id: 'p2-task', type: 'task', title: 'Cache invalidation for sessions', projectId: 'p2', tags: ['backend'], importance: 1 },
      { id: 'p1-pattern', type: 'pattern', title: 'Cache invalidation via events', projectId: 'p1', tags: ['frontend'], importance: 1 },
    ]);
    const ids = async (options: Parameters<typeof memory.search>[1]): Promise<string[]> =>
      (await memory.search('cache invalidation sessions', options)).map((r) => r.node.id).sort();
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      expect(await ids({ mode, projectId: 'p1' })).toEqual(['p1-pattern', 'p1-task']);
      expect(await ids({ mode, projectId: 'p2' })).toEqual(['p2-task']);
      expect(await ids({ mode, types: ['pattern'] })).toEqual(['p1-pattern']);
      expect(await ids({ mode, tags: ['backend'] })).toEqual(['p1-task', 'p2-task']);
      expect(await ids({ mode, minImportance: 1.5 })).toEqual(['p1-task']);
      expect(await ids({ mode, projectId: 'p3' })).toEqual([]);
    }
    memory.close();
  });

  it('ranks by relevance with highlights, marking which lanes matched', async () => {
    const memory = await MemoryManager.open({ dbPath: ':memory:' });
    await memory.addNodes([
      { type: 'concept', title: 'Retry with backoff', content: 'Retries use exponential backoff with jitter. Network calls are retried three times.' },
      { type: 'concept', title: 'Logging', content: 'Logs go to stderr as JSON lines.' },
    ]);
    const [top] = await memory.search('exponential backoff retries');
    expect(top?.node.title).toBe('Retry with backoff');
    expect(top?.matchType).toBe('hybrid');
    expect(top?.highlights[0]).toContain('exponential backoff');
    memory.close();
  });

  it('re-embeds when the provider changes and ignores vectors of another provider', async () => {
    const { mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { closeAllDatabases } = await import('../storage/database.js');
    const dbPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-mem-')), 'context.db');
    const small = await MemoryManager.open({ dbPath, embedding: { provider: 'lexical', dimensions: 64 } });
    await small.addNode({ type: 'concept', title: 'Vector clocks', content: 'Ordering events across replicas' });
    expect(small.getStats().vectorsByProvider).toEqual({ 'lexical-hash-v1/64': 1 });
    closeAllDatabases();
    const big = await MemoryManager.open({ dbPath, embedding: { provider: 'lexical', dimensions: 128 } });
    expect(big.getStats().vectorsByProvider).toEqual({ 'lexical-hash-v1/128': 1 });
    expect((await big.search('replicas ordering', { mode: 'semantic' }))[0]?.node.title).toBe('Vector clocks');
    closeAllDatabases();
  });
});
