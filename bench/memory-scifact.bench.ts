/**
 * Retrieval quality of the memory on BEIR SciFact (5,183 abstracts, 300 test claims), through the
 * public API with the default offline configuration: nDCG@10 and Recall@100 for keyword, semantic
 * and hybrid search. Reference points: BM25 0.665 (BEIR paper), plain FTS5 + porter ≈ 0.68.
 * Set BENCH_SEARCH to a JSON SearchSettings object to try other fusion settings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryManager, type EmbeddingSettings, type SearchSettings } from '../src/index.js';
import { evaluate, loadSciFact } from './memory-dataset.js';

export async function run(): Promise<void> {
  const data = loadSciFact();
  const search = process.env['BENCH_SEARCH'] ? (JSON.parse(process.env['BENCH_SEARCH']) as SearchSettings) : undefined;
  const embedding = process.env['BENCH_EMBEDDING'] ? (JSON.parse(process.env['BENCH_EMBEDDING']) as EmbeddingSettings) : undefined;
  const memory = await MemoryManager.open({ dbPath: ':memory:', ...(search ? { search } : {}), ...(embedding ? { embedding } : {}) });
  const started = performance.now();
  await memory.addNodes(data.docs.map((d) => ({ id: d._id, type: 'concept' as const, title: d.title, content: d.text })));
  const insertSeconds = (performance.now() - started) / 1000;
  const rows: Record<string, { ndcg10: number; recall100: number }> = {};
  const modes = (process.env['BENCH_MODES']?.split(',') ?? ['keyword', 'semantic', 'hybrid']) as ('keyword' | 'semantic' | 'hybrid')[];
  for (const mode of modes) {
    rows[mode] = await evaluate(memory, data, { limit: 100, mode });
    console.log(`${mode.padEnd(8)} nDCG@10 ${rows[mode].ndcg10.toFixed(4)}  Recall@100 ${rows[mode].recall100.toFixed(4)}`);
  }
  console.log(`(${data.docs.length} docs inserted in ${insertSeconds.toFixed(1)} s, ${data.queries.length} queries; provider ${memory.getStats().embeddingProvider})`);
  const result = { benchmark: 'memory-scifact', date: new Date().toISOString(), machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`, docs: data.docs.length, queries: data.queries.length, search: search ?? 'default', results: rows };
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'memory-scifact.json'), `${JSON.stringify(result, null, 2)}\n`);
  memory.close();
}

if (process.argv[1] === import.meta.filename) await run();
