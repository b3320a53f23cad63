/** BEIR SciFact (test split) from ../shared/datasets/scifact, and a quality evaluation over it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import type { MemoryManager, SearchOptions } from '../src/index.js';
import { ndcgAt, recallAt, type Qrels } from './memory-metrics.js';

export const SCIFACT_DIR = path.resolve(import.meta.dirname, '../../shared/datasets/scifact');

const docSchema = z.object({ _id: z.string(), title: z.string(), text: z.string() });
const querySchema = z.object({ _id: z.union([z.string(), z.number()]).transform(String), text: z.string() });

export interface SciFact {
  readonly docs: readonly z.infer<typeof docSchema>[];
  readonly queries: readonly { readonly id: string; readonly text: string }[];
  readonly qrels: Qrels;
}

export function loadSciFact(dir = SCIFACT_DIR): SciFact {
  const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim().length > 0);
  const docs = lines(gunzipSync(readFileSync(path.join(dir, 'corpus.jsonl.gz'))).toString('utf8')).map((l) => docSchema.parse(JSON.parse(l)));
  const queries = lines(readFileSync(path.join(dir, 'queries.test.jsonl'), 'utf8'))
    .map((l) => querySchema.parse(JSON.parse(l)))
    .map((q) => ({ id: q._id, text: q.text }));
  const qrels = new Map<string, Map<string, number>>();
  for (const line of lines(readFileSync(path.join(dir, 'qrels.test.tsv'), 'utf8')).slice(1)) {
    const [query, doc, score] = line.split('\t');
    if (!query || !doc) continue;
    const entry = qrels.get(query) ?? new Map<string, number>();
    entry.set(doc, Number(score ?? 1));
    qrels.set(query, entry);
  }
  return { docs, queries: queries.filter((q) => qrels.has(q.id)), qrels };
}

export interface Quality {
  readonly ndcg10: number;
  readonly recall100: number;
}

/**
 * Searches every query and scores the rankings. `collapse` maps a stored id back to the corpus
 * id (for a corpus stored several times); repeated corpus ids are dropped after the first.
 */
export async function evaluate(
  memory: MemoryManager,
  data: SciFact,
  options: SearchOptions,
  collapse: (id: string) => string = (id) => id,
): Promise<Quality> {
  let ndcg = 0;
  let recall = 0;
  for (const query of data.queries) {
    const hits = await memory.search(query.text, options);
    const ranking = [...new Set(hits.map((h) => collapse(h.node.id)))];
    const relevant = data.qrels.get(query.id) ?? new Map<string, number>();
    ndcg += ndcgAt(ranking, relevant, 10);
    recall += recallAt(ranking, relevant, 100);
  }
  return { ndcg10: ndcg / data.queries.length, recall100: recall / data.queries.length };
}
