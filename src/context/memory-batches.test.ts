import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAllDatabases, openDatabase } from '../storage/database.js';
import { MemoryManager } from './memory-manager.js';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
const text = (i: number): string => `${WORDS[i % 10]} ${WORDS[Math.floor(i / 10) % 10]} item${i} shared`;

describe('memory writes in batches', () => {
  it('stores a batch of 1,300 nodes — more than one multi-row statement, not a multiple of one — each indexed and embedded', async () => {
    const memory = await MemoryManager.open({ dbPath: ':memory:' });
    const nodes = await memory.addNodes(Array.from({ length: 1300 }, (_, i) => ({ id: `n${i}`, type: 'concept' as const, title: `Node ${i}`, content: text(i) })));
    expect(nodes.map((n) => n.id)).toEqual(Array.from({ length: 1300 }, (_, i) => `n${i}`));
    expect(memory.getStats()).toMatchObject({ nodes: 1300, vectorsByProvider: { 'lexical-hash-v1/1024': 1300 } });
    for (const i of [0, 511, 512, 1023, 1024, 1299]) {
      expect((await memory.search(`item${i}`, { mode: 'keyword' }))[0]?.node.id).toBe(`n${i}`);
      expect((await memory.search(`item${i}`, { mode: 'semantic', limit: 1 }))[0]?.node.id).toBe(`n${i}`);
    }
    memory.close();
  });

  it('upserts a repeated id within one batch in order (the last wins) and keeps the first creation time on update', async () => {
    const memory = await MemoryManager.open({ dbPath: ':memory:' });
    const [first] = await memory.addNodes([{ id: 'x', type: 'concept', title: 'Original', content: 'walrus', createdAt: '2020-01-01T00:00:00.000Z' }]);
    const stored = await memory.addNodes([
      { id: 'x', type: 'concept', title: 'Second', content: 'narwhal' },
      { id: 'y', type: 'concept', title: 'Other', content: 'otter' },
      { id: 'x', type: 'concept', title: 'Third', content: 'manatee' },
    ]);
    expect(stored.map((n) => [n.id, n.title, n.createdAt])).toEqual([
      ['x', 'Second', first?.createdAt],
      ['y', 'Other', expect.any(String)],
      ['x', 'Third', first?.createdAt],
    ]);
    expect(memory.getNode('x')).toMatchObject({ title: 'Third', content: 'manatee', createdAt: '2020-01-01T00:00:00.000Z' });
    expect(await memory.search('walrus narwhal')).toEqual([]);
    expect((await memory.search('manatee'))[0]?.node.id).toBe('x');
    expect(memory.getStats()).toMatchObject({ nodes: 2, vectorsByProvider: { 'lexical-hash-v1/1024': 2 } });
    memory.close();
  });

  it('keeps the corpus counters equal to the nodes through inserts, updates and deletes, and fills them for an existing store', async () => {
    const dbPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-mem-')), 'context.db');
    const memory = await MemoryManager.open({ dbPath });
    await memory.addNodes(Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, type: 'concept' as const, title: `T${i}`, content: text(i) })));
    await memory.addNode({ id: 'n3', type: 'concept', title: 'A much longer title than before', content: 'and longer content, too' });
    memory.deleteNodes(['n5', 'n6']);
    const db = openDatabase(dbPath);
    const actual = () => db.prepare<[], { nodes: number; chars: number }>('SELECT count(*) AS nodes, sum(length(title) + length(content)) AS chars FROM context_nodes').get();
    expect(memory.store.corpus()).toEqual(actual());
    const chars = memory.store.corpus().chars;
    // A store made before the counters existed gets them filled from its rows.
    db.exec(`DROP TRIGGER context_nodes_count_ai; DROP TRIGGER context_nodes_count_ad; DROP TRIGGER context_nodes_count_au;
      DROP TABLE context_counters; DELETE FROM schema_migrations WHERE id = 'context/002-counters'`);
    closeAllDatabases();
    const reopened = await MemoryManager.open({ dbPath });
    expect(reopened.store.corpus()).toEqual({ nodes: 38, chars });
    closeAllDatabases();
  });

  it('hybrid search still adds semantic-only hits when keyword search finds fewer than the limit', async () => {
    // No similarity floor: "postgresql" shares only word pieces with "postgres" (cosine ≈ 0.05).
    const memory = await MemoryManager.open({ dbPath: ':memory:', search: { minSimilarity: 0 } });
    await memory.addNodes([
      { id: 'exact', type: 'concept', title: 'Postgres tuning', content: 'postgres' },
      { id: 'near', type: 'concept', title: 'PostgreSQL', content: 'postgresql' },
    ]);
    expect((await memory.search('postgres', { mode: 'keyword' })).map((h) => h.node.id)).toEqual(['exact']);
    const hits = await memory.search('postgres', { limit: 5 });
    expect(hits.map((h) => [h.node.id, h.matchType])).toEqual([
      ['exact', 'hybrid'],
      ['near', 'semantic'],
    ]);
    expect((await memory.search('postgres', { limit: 1 })).map((h) => [h.node.id, h.matchType])).toEqual([['exact', 'hybrid']]);
    memory.close();
  });
});
