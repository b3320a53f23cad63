/**
 * Search latency and insert throughput at 100,000 nodes: SciFact stored 20 times (ids "<id>#<n>")
 * in a database FILE, queried with the 300 test claims. Reports p50/p99 of hybrid and keyword
 * search (limit 10), insert throughput through the public API, and nDCG@10 at this size (replicas
 * collapsed to their corpus id, limit 200) to show the fast path does not cost quality.
 * BENCH_COPIES changes the repetition count.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryManager, type SearchSettings } from '../src/index.js';
import { closeAllDatabases } from '../src/storage/database.js';
import { evaluate, loadSciFact } from './memory-dataset.js';
import { percentile } from './memory-metrics.js';

export async function run(): Promise<void> {
  const data = loadSciFact();
  const copies = Number(process.env['BENCH_COPIES'] ?? 20);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-memory-'));
  const search = process.env['BENCH_SEARCH'] ? (JSON.parse(process.env['BENCH_SEARCH']) as SearchSettings) : undefined;
  const memory = await MemoryManager.open({ dbPath: path.join(dir, 'context.db'), ...(search ? { search } : {}) });
  const nodes = Array.from({ length: copies }, (_, copy) =>
    data.docs.map((d) => ({ id: copy === 0 ? d._id : `${d._id}#${copy}`, type: 'concept' as const, title: d.title, content: d.text })),
  ).flat();
  const started = performance.now();
  for (let i = 0; i < nodes.length; i += 5_000) await memory.addNodes(nodes.slice(i, i + 5_000));
  const insertSeconds = (performance.now() - started) / 1000;
  console.log(`inserted ${nodes.length} nodes in ${insertSeconds.toFixed(1)} s = ${Math.round(nodes.length / insertSeconds)} nodes/s (FTS + lexical vectors, batches of 5,000)`);

  const timings: Record<string, { p50: number; p99: number; mean: number }> = {};
  for (const mode of ['hybrid', 'keyword'] as const) {
    for (const query of data.queries.slice(0, 20)) await memory.search(query.text, { limit: 10, mode }); // warm-up
    const samples: number[] = [];
    for (const query of data.queries) {
      const t0 = performance.now();
      await memory.search(query.text, { limit: 10, mode });
      samples.push(performance.now() - t0);
    }
    timings[mode] = { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
    console.log(`${mode.padEnd(8)} p50 ${timings[mode].p50.toFixed(1)} ms  p99 ${timings[mode].p99.toFixed(1)} ms  mean ${timings[mode].mean.toFixed(1)} ms`);
  }
  // Quality at this size, with the candidate pool scaled by the copy count so it holds as many
  // DISTINCT documents as at 5k (each document is stored `copies` times; replicas are collapsed).
  const scaled = await MemoryManager.open({ dbPath: path.join(dir, 'context.db'), search: { ...search, candidates: 100 * copies } });
  const quality: Record<string, { ndcg10: number; recall100: number }> = {};
  for (const mode of ['keyword', 'hybrid'] as const) {
    quality[mode] = await evaluate(scaled, data, { limit: 10 * copies, mode }, (id) => id.split('#')[0] ?? id);
    console.log(`${mode} at ${nodes.length}: nDCG@10 ${quality[mode].ndcg10.toFixed(4)} (replicas collapsed, pool ${100 * copies})`);
  }
  const result = { benchmark: 'memory-latency', search: search ?? 'default', date: new Date().toISOString(), machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`, nodes: nodes.length, insertSeconds, insertPerSecond: nodes.length / insertSeconds, timings, quality };
  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'memory-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
  memory.close();
  closeAllDatabases();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] === import.meta.filename) await run();
