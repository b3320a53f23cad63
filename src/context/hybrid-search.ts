/**
 * Keyword, semantic and hybrid search over the graph.
 *
 * Keyword: the persistent FTS5 index, ranked by bm25. The query is reduced to its content words
 * (stop words out), each word's document frequency is read from the index's vocabulary, and the
 * rarest words are kept within a posting budget — so a 12-word claim over 100,000 nodes costs what
 * its informative words cost, not what "patients" and "cells" cost.
 *
 * Semantic: cosine over stored vectors of the current provider — exhaustive while the store is
 * small, otherwise over the keyword candidates (the vectors then re-rank, they cannot add).
 *
 * Hybrid: reciprocal rank fusion, score = Σ wᵢ / (k + rankᵢ) with k = 60 by default, or a
 * weighted sum of min-max-normalised lane scores. Scores order the hits of one query and mean
 * nothing across queries.
 */
import type { Db } from '../storage/database.js';
import type { EmbeddingProvider } from './embeddings/provider.js';
import { dotEncoded } from './embeddings/vector-codec.js';
import { orExpression, queryWords } from './fts-query.js';
import { filterClause, type GraphStore } from './graph-store.js';
import { highlights } from './highlights.js';
import type { MatchType, MemoryNode, SearchFilters, SearchMode, SearchResult } from './types.js';

/** How lanes are fused and how much each lane may cost. All optional; defaults documented. */
export interface SearchSettings {
  /** 'rrf' or 'linear' (weighted min-max-normalised scores); default by provider, see defaultSearchSettings. */
  readonly fusion?: 'rrf' | 'linear';
  /** RRF constant (default 60). */
  readonly rrfK?: number;
  /** Lane weights (RRF default keyword 0.5, semantic 0.5). */
  readonly keywordWeight?: number;
  readonly semanticWeight?: number;
  /** bm25 column weights: title, content, tags, typed fields (default 2, 1, 1, 1). */
  readonly columnWeights?: readonly [number, number, number, number];
  /** Postings the keyword stage may touch; rarer words first, at least `minTerms` (default 40,000). */
  readonly postingBudget?: number;
  /** Words always kept, however common (default 2). */
  readonly minTerms?: number;
  /** Candidates per lane: max(this, 3 × limit) (default 100). */
  readonly candidates?: number;
  /** Semantic lane scans every vector up to this many (default 20,000); beyond, keyword candidates only (0 = always). */
  readonly exhaustiveLimit?: number;
}

interface LaneHit {
  readonly seq: number;
  readonly score: number;
}

export interface Searcher {
  search(query: string, options: SearchFilters & { limit: number; mode: SearchMode; signal?: AbortSignal }): Promise<SearchResult[]>;
  /** The keyword lane alone, as (seq, bm25 score) best first. */
  keywordHits(query: string, filters: SearchFilters, limit: number): LaneHit[];
}

/**
 * Defaults per provider. With an embedding that carries meaning (Ollama, OpenAI-compatible) the
 * lanes are fused by RRF (k = 60, weights 0.5/0.5) over an exhaustive semantic lane. The built-in
 * lexical provider adds no meaning, only a second lexical opinion: fused by RRF at equal weight
 * it LOWERED SciFact nDCG@10 from 0.692 to 0.56–0.66, so by default it only re-ranks the keyword
 * candidates with a light linear weight (0.9/0.1), measured 0.693 (docs/benchmarks.md).
 */
export function defaultSearchSettings(provider: EmbeddingProvider | undefined): SearchSettings {
  if (provider?.kind === 'lexical') return { fusion: 'linear', keywordWeight: 0.9, semanticWeight: 0.1, exhaustiveLimit: 0 };
  return { fusion: 'rrf', rrfK: 60, keywordWeight: 0.5, semanticWeight: 0.5 };
}

export function createSearcher(store: GraphStore, provider: EmbeddingProvider | undefined, overrides: SearchSettings = {}): Searcher {
  const settings: SearchSettings = { ...defaultSearchSettings(provider), ...overrides };
  const db = store.db;
  const k = settings.rrfK ?? 60;
  const wk = settings.keywordWeight ?? 0.5;
  const ws = settings.semanticWeight ?? 0.5;
  const [wTitle, wContent, wTags, wExtra] = settings.columnWeights ?? [2, 1, 1, 1];
  const postingBudget = settings.postingBudget ?? 40_000;
  const minTerms = settings.minTerms ?? 2;
  const exhaustiveLimit = settings.exhaustiveLimit ?? 20_000;
  const analyzer = createTermAnalyzer(db);

  function keywordHits(query: string, filters: SearchFilters, limit: number): LaneHit[] {
    const terms = analyzer.analyze(queryWords(query));
    const kept: string[] = [];
    let postings = 0;
    for (const term of terms) {
      if (kept.length >= minTerms && postings + term.df > postingBudget) continue;
      kept.push(term.word);
      postings += term.df;
    }
    const expression = orExpression(kept);
    if (expression === '') return [];
    const where = filterClause(filters, 'n');
    const sql = `SELECT f.rowid AS seq, -bm25(context_fts, ?, ?, ?, ?) AS score
      FROM context_fts f ${where.sql ? 'JOIN context_nodes n ON n.seq = f.rowid' : ''}
      WHERE context_fts MATCH ? ${where.sql ? `AND ${where.sql.slice('WHERE '.length)}` : ''}
      ORDER BY bm25(context_fts, ?, ?, ?, ?) LIMIT ?`;
    const weights = [wTitle, wContent, wTags, wExtra];
    return db.prepare<unknown[], LaneHit>(sql).all(...weights, expression, ...where.params, ...weights, limit);
  }

  async function semanticHits(
    query: string,
    filters: SearchFilters,
    limit: number,
    candidates: readonly LaneHit[] | undefined,
    signal?: AbortSignal,
  ): Promise<LaneHit[]> {
    if (!provider) return [];
    const vector = provider.embedQuery
      ? await provider.embedQuery(query, analyzer.idfWeights(queryWords(query)))
      : (await provider.embed([query], signal ? { signal } : {}))[0];
    if (!vector) return [];
    const scored: LaneHit[] = [];
    const total = vectorCount(db, provider.id);
    if (candidates === undefined || total <= exhaustiveLimit) {
      const where = filterClause(filters, 'n');
      const rows = db
        .prepare<unknown[], { seq: number; vector: Buffer }>(
          `SELECT v.node_seq AS seq, v.vector FROM context_vectors v JOIN context_nodes n ON n.seq = v.node_seq
           ${where.sql ? `${where.sql} AND` : 'WHERE'} v.provider = ?`,
        )
        .iterate(...where.params, provider.id);
      for (const row of rows) scored.push({ seq: row.seq, score: dotEncoded(vector, row.vector) });
    } else {
      const stored = store.vectorsFor(candidates.map((c) => c.seq), provider.id);
      for (const row of stored) scored.push({ seq: row.seq, score: dotEncoded(vector, row.vector) });
    }
    scored.sort((a, b) => b.score - a.score);
    return scored.slice(0, limit);
  }

  async function search(
    query: string,
    options: SearchFilters & { limit: number; mode: SearchMode; signal?: AbortSignal },
  ): Promise<SearchResult[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0 || query.trim() === '') return [];
    const pool = Math.max(settings.candidates ?? 100, limit * 3);
    const keyword = options.mode === 'semantic' ? [] : keywordHits(query, options, pool);
    const semantic =
      options.mode === 'keyword'
        ? []
        : await semanticHits(query, options, pool, options.mode === 'semantic' ? undefined : keyword, options.signal);
    const fused = options.mode === 'keyword' ? ranked(keyword, 'keyword') : options.mode === 'semantic' ? ranked(semantic, 'semantic') : fuse(keyword, semantic);
    const top = fused.slice(0, limit);
    const nodes = store.getNodesBySeq(top.map((hit) => hit.seq));
    return top.flatMap((hit) => {
      const node = nodes.get(hit.seq);
      return node ? [toResult(query, node, hit.score, hit.matchType)] : [];
    });
  }

  function ranked(hits: readonly LaneHit[], matchType: MatchType): { seq: number; score: number; matchType: MatchType }[] {
    return hits.map((hit) => ({ ...hit, matchType }));
  }

  function fuse(keyword: readonly LaneHit[], semantic: readonly LaneHit[]): { seq: number; score: number; matchType: MatchType }[] {
    const fused = new Map<number, { seq: number; score: number; lanes: number }>();
    const addLane = (hits: readonly LaneHit[], weight: number, bit: number): void => {
      const scores = settings.fusion === 'linear' ? minMax(hits) : hits.map((_, rank) => 1 / (k + rank + 1));
      hits.forEach((hit, i) => {
        const entry = fused.get(hit.seq) ?? { seq: hit.seq, score: 0, lanes: 0 };
        entry.score += weight * (scores[i] ?? 0);
        entry.lanes |= bit;
        fused.set(hit.seq, entry);
      });
    };
    addLane(keyword, wk, 1);
    addLane(semantic, ws, 2);
    return [...fused.values()]
      .sort((a, b) => b.score - a.score || a.seq - b.seq)
      .map((e) => ({ seq: e.seq, score: e.score, matchType: e.lanes === 3 ? 'hybrid' : e.lanes === 1 ? 'keyword' : 'semantic' }));
  }

  return { search, keywordHits };
}

function toResult(query: string, node: MemoryNode, score: number, matchType: MatchType): SearchResult {
  return { node, score, matchType, highlights: highlights(query, node.content) };
}

function minMax(hits: readonly LaneHit[]): number[] {
  if (hits.length === 0) return [];
  const values = hits.map((h) => h.score);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 1));
}

function vectorCount(db: Db, provider: string): number {
  return db.prepare<[string], { c: number }>('SELECT count(*) AS c FROM context_vectors WHERE provider = ?').get(provider)?.c ?? 0;
}

interface AnalyzedTerm {
  readonly word: string;
  readonly df: number;
}

/**
 * Looks up each query word's document frequency. The word is run through SQLite's own tokenizer
 * (a scratch FTS5 table in the connection's temp schema) so its stem is exactly the index's.
 * Words absent from the index are dropped; the rest come back rarest first.
 */
function createTermAnalyzer(db: Db): {
  analyze(words: readonly string[]): AnalyzedTerm[];
  /** bm25's idf of each word (words absent from the index get the highest). */
  idfWeights(words: readonly string[]): (word: string) => number;
} {
  db.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.context_query_tok USING fts5(w, tokenize='porter unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.context_query_vocab USING fts5vocab(temp, context_query_tok, 'instance');
  `);
  const clear = db.prepare('DELETE FROM temp.context_query_tok');
  const insert = db.prepare('INSERT INTO temp.context_query_tok(rowid, w) VALUES (?, ?)');
  const stems = db.prepare<[], { doc: number; term: string }>('SELECT doc, term FROM temp.context_query_vocab');
  const df = db.prepare<[string], { doc: number }>('SELECT doc FROM context_fts_terms WHERE term = ?');
  return {
    analyze(words) {
      if (words.length === 0) return [];
      const byStem = new Map<string, string>();
      db.transaction(() => {
        clear.run();
        words.forEach((word, i) => insert.run(i + 1, word));
        for (const row of stems.all()) {
          const word = words[row.doc - 1];
          if (word !== undefined && !byStem.has(row.term)) byStem.set(row.term, word);
        }
        clear.run();
      })();
      const terms: AnalyzedTerm[] = [];
      for (const [stem, word] of byStem) {
        const count = df.get(stem)?.doc ?? 0;
        if (count > 0) terms.push({ word, df: count });
      }
      return terms.sort((a, b) => a.df - b.df);
    },
    idfWeights(words) {
      const total = db.prepare<[], { c: number }>('SELECT count(*) AS c FROM context_nodes').get()?.c ?? 0;
      const idf = (df: number): number => Math.log(1 + (total - df + 0.5) / (df + 0.5));
      const known = new Map(this.analyze(words).map((t) => [t.word, idf(t.df)]));
      const highest = idf(0);
      return (word) => known.get(word) ?? highest;
    },
  };
}
