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
import type { Statement } from 'better-sqlite3';
import type { Db } from '../storage/database.js';
import type { EmbeddingProvider } from './embeddings/provider.js';
import { dotEncoded } from './embeddings/vector-codec.js';
import { countStemWords, orExpression, queryWords } from './fts-query.js';
import { filterClause, type GraphStore } from './graph-store.js';
import { highlights } from './highlights.js';
import type { MatchType, MemoryNode, SearchFilters, SearchMode, SearchResult } from './types.js';

/** How lanes are fused and how much each lane may cost. All optional; defaults documented. */
export interface SearchSettings {
  /**
   * 'rrf' (reciprocal rank fusion), 'linear' (weighted min-max-normalised scores) or
   * 'keyword-first' (keyword order, semantic score breaks ties, semantic-only hits follow);
   * default by provider, see defaultSearchSettings.
   */
  readonly fusion?: 'rrf' | 'linear' | 'keyword-first';
  /** RRF constant (default 60). */
  readonly rrfK?: number;
  /** Lane weights (RRF default keyword 0.5, semantic 0.5). */
  readonly keywordWeight?: number;
  readonly semanticWeight?: number;
  /** bm25 column weights: title, content, tags, typed fields (default 2, 1, 1, 1). */
  readonly columnWeights?: readonly [number, number, number, number];
  /** Postings the keyword candidate stage may touch, rarer words first (default 5,000); the other words re-score the candidates. */
  readonly postingBudget?: number;
  /** Words always kept in the candidate stage, however common (default 1). */
  readonly minTerms?: number;
  /** Candidates per lane: max(this, 3 × limit) (default 100). */
  readonly candidates?: number;
  /**
   * Cosine below which a vector is not a semantic hit (default 0.1 for the lexical provider,
   * where unrelated texts score ≈ ±0.03 from hash collisions; 0 for other providers).
   */
  readonly minSimilarity?: number;
  /**
   * Stores of up to this many nodes (default 20,000) have their semantic lane scan every vector;
   * larger ones score the keyword candidates only. With 'keyword-first' fusion the candidates
   * are scored alone at every size once keyword search found `limit` hits (semantic-only hits
   * would rank after them).
   */
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
 * lexical provider adds no meaning, only a second lexical opinion: fused by RRF it LOWERED SciFact
 * nDCG@10 from 0.692 to 0.56–0.66, and as a light linear re-rank it moved it by ±0.003 (noise),
 * so by default it only breaks ties in the keyword order and contributes the hits keyword search
 * missed after them (docs/benchmarks.md).
 */
export function defaultSearchSettings(provider: EmbeddingProvider | undefined): SearchSettings {
  if (provider?.kind === 'lexical') return { fusion: 'keyword-first', minSimilarity: 0.1 };
  return { fusion: 'rrf', rrfK: 60, keywordWeight: 0.5, semanticWeight: 0.5 };
}

export function createSearcher(store: GraphStore, provider: EmbeddingProvider | undefined, overrides: SearchSettings = {}): Searcher {
  const settings: SearchSettings = { ...defaultSearchSettings(provider), ...overrides };
  const db = store.db;
  const k = settings.rrfK ?? 60;
  const wk = settings.keywordWeight ?? 0.5;
  const ws = settings.semanticWeight ?? 0.5;
  const [wTitle, wContent, wTags, wExtra] = settings.columnWeights ?? [2, 1, 1, 1];
  const postingBudget = settings.postingBudget ?? 5_000;
  const minTerms = settings.minTerms ?? 1;
  const exhaustiveLimit = settings.exhaustiveLimit ?? 20_000;
  const analyzer = createTermAnalyzer(db, () => store.corpus().nodes);
  const prepared = statementCache(db);

  function keywordHits(query: string, filters: SearchFilters, limit: number, analyzed?: readonly AnalyzedTerm[]): LaneHit[] {
    const terms = analyzed ?? analyzer.analyze(queryWords(query));
    const kept: AnalyzedTerm[] = [];
    const dropped: AnalyzedTerm[] = [];
    let postings = 0;
    for (const term of terms) {
      if (kept.length >= minTerms && postings + term.df > postingBudget) {
        dropped.push(term);
        continue;
      }
      kept.push(term);
      postings += term.df;
    }
    const expression = orExpression(kept.map((t) => t.word));
    if (expression === '') return [];
    const where = filterClause(filters, 'n');
    const sql = `SELECT f.rowid AS seq, -bm25(context_fts, ?, ?, ?, ?) AS score
      FROM context_fts f ${where.sql ? 'JOIN context_nodes n ON n.seq = f.rowid' : ''}
      WHERE context_fts MATCH ? ${where.sql ? `AND ${where.sql.slice('WHERE '.length)}` : ''}
      ORDER BY bm25(context_fts, ?, ?, ?, ?) LIMIT ?`;
    const weights = [wTitle, wContent, wTags, wExtra];
    const hits = prepared<LaneHit>(sql).all(...weights, expression, ...where.params, ...weights, limit);
    return dropped.length > 0 ? rescore(hits, dropped) : hits;
  }

  /**
   * Adds the bm25 contribution of the words the candidate stage left out (the common ones),
   * computed from the candidates' own text: the same formula as FTS5's bm25 (k1 = 1.2,
   * b = 0.75, title counted with its column weight), with term matching by stem prefix and
   * document length in characters relative to the store's average. Common words weigh little,
   * so this approximation restores the ranking the full query would give at a fraction of the cost.
   */
  function rescore(hits: readonly LaneHit[], dropped: readonly AnalyzedTerm[]): LaneHit[] {
    const stats = corpusStats();
    const k1 = 1.2;
    const b = 0.75;
    const idfs = dropped.map((t) => Math.max(1e-6, Math.log((stats.count - t.df + 0.5) / (t.df + 0.5))));
    const rows = new Map(
      prepared<{ seq: number; title: string; content: string }>(
        'SELECT seq, title, content FROM context_nodes WHERE seq IN (SELECT value FROM json_each(?))',
      )
        .all(JSON.stringify(hits.map((h) => h.seq)))
        .map((r) => [r.seq, r]),
    );
    return hits
      .map((hit) => {
        const row = rows.get(hit.seq);
        if (!row) return hit;
        const title = row.title.toLowerCase();
        const content = row.content.toLowerCase();
        const lengthRatio = (row.title.length + row.content.length) / Math.max(1, stats.averageChars);
        let extra = 0;
        dropped.forEach((term, i) => {
          const tf = wTitle * countStemWords(title, term.stem) + wContent * countStemWords(content, term.stem);
          if (tf > 0) extra += (idfs[i] ?? 0) * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + b * lengthRatio)));
        });
        return { seq: hit.seq, score: hit.score + extra };
      })
      .sort((x, y) => y.score - x.score);
  }

  function corpusStats(): { count: number; averageChars: number } {
    const { nodes, chars } = store.corpus();
    return { count: nodes, averageChars: nodes > 0 ? chars / nodes : 1 };
  }

  /**
   * Which vectors the semantic lane scores: all of them (semantic mode, small stores), or the
   * keyword candidates. With 'keyword-first', once keyword search found `limit` hits, only the
   * hits that can be returned matter — those scoring at least the `limit`-th keyword score (its
   * ties included): semantic-only hits rank after every keyword hit, and the semantic score only
   * breaks ties and marks a returned hit as found by both lanes.
   */
  function semanticScope(mode: SearchMode, keyword: readonly LaneHit[], limit: number): readonly LaneHit[] | 'all' {
    if (mode === 'semantic') return 'all';
    const last = keyword[limit - 1];
    if (settings.fusion === 'keyword-first' && last) return keyword.filter((hit) => hit.score >= last.score);
    return corpusStats().count <= exhaustiveLimit ? 'all' : keyword;
  }

  async function semanticHits(
    query: string,
    filters: SearchFilters,
    limit: number,
    scope: readonly LaneHit[] | 'all',
    analyzed: readonly AnalyzedTerm[],
    signal?: AbortSignal,
  ): Promise<LaneHit[]> {
    if (!provider) return [];
    const vector = provider.embedQuery
      ? await provider.embedQuery(query, analyzer.idfWeights(analyzed, corpusStats().count))
      : (await provider.embed([query], signal ? { signal } : {}))[0];
    if (!vector) return [];
    const scored: LaneHit[] = [];
    if (scope === 'all') {
      const where = filterClause(filters, 'n');
      const rows = prepared<{ seq: number; vector: Buffer }>(
        `SELECT v.node_seq AS seq, v.vector FROM context_vectors v JOIN context_nodes n ON n.seq = v.node_seq
           ${where.sql ? `${where.sql} AND` : 'WHERE'} v.provider = ?`,
      ).iterate(...where.params, provider.id);
      for (const row of rows) scored.push({ seq: row.seq, score: dotEncoded(vector, row.vector) });
    } else {
      const stored = store.vectorsFor(scope.map((c) => c.seq), provider.id);
      for (const row of stored) scored.push({ seq: row.seq, score: dotEncoded(vector, row.vector) });
    }
    const floor = settings.minSimilarity ?? 0;
    return scored.filter((hit) => hit.score > floor).sort((a, b) => b.score - a.score).slice(0, limit);
  }

  async function search(
    query: string,
    options: SearchFilters & { limit: number; mode: SearchMode; signal?: AbortSignal },
  ): Promise<SearchResult[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0 || query.trim() === '') return [];
    const pool = Math.max(settings.candidates ?? 100, limit * 3);
    const analyzed = analyzer.analyze(queryWords(query));
    const keyword = options.mode === 'semantic' ? [] : keywordHits(query, options, pool, analyzed);
    const semantic =
      options.mode === 'keyword'
        ? []
        : await semanticHits(query, options, pool, semanticScope(options.mode, keyword, limit), analyzed, options.signal);
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
    if (settings.fusion === 'keyword-first') return keywordFirst(keyword, semantic);
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

/**
 * Keyword order with the semantic score as tie-breaker, then the semantic-only hits. The score is
 * the rank-derived 1 / (1 + rank) so it still orders the hits of one query only.
 */
function keywordFirst(keyword: readonly LaneHit[], semantic: readonly LaneHit[]): { seq: number; score: number; matchType: MatchType }[] {
  const semanticScore = new Map(semantic.map((h) => [h.seq, h.score]));
  const inKeyword = new Set(keyword.map((h) => h.seq));
  const ordered = [...keyword]
    .sort((a, b) => b.score - a.score || (semanticScore.get(b.seq) ?? -1) - (semanticScore.get(a.seq) ?? -1))
    .map((h): { seq: number; matchType: MatchType } => ({ seq: h.seq, matchType: semanticScore.has(h.seq) ? 'hybrid' : 'keyword' }));
  const tail = semantic.filter((h) => !inKeyword.has(h.seq)).map((h): { seq: number; matchType: MatchType } => ({ seq: h.seq, matchType: 'semantic' }));
  return [...ordered, ...tail].map((h, rank) => ({ ...h, score: 1 / (1 + rank) }));
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

/**
 * Prepared statements by SQL text: the lanes' SQL differs only with the filters used, and
 * preparing it on every query cost more than running it on small stores.
 */
function statementCache(db: Db): <Row>(sql: string) => Statement<unknown[], Row> {
  const statements = new Map<string, Statement<unknown[], unknown>>();
  return <Row>(sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= 64) statements.clear();
      statement = db.prepare<unknown[], unknown>(sql);
      statements.set(sql, statement);
    }
    return statement as Statement<unknown[], Row>;
  };
}

interface AnalyzedTerm {
  readonly word: string;
  /** The index's form of the word (porter stem). */
  readonly stem: string;
  readonly df: number;
}

/** Terms in at least this many nodes have their document frequency remembered (see below). */
const COMMON_DF = 1_000;
/** ...until the node count has moved this much (relative) since it was counted. */
const COMMON_DF_DRIFT = 0.05;

/**
 * Looks up each query word's document frequency. The word is run through SQLite's own tokenizer
 * (a scratch FTS5 table in the connection's temp schema) so its stem is exactly the index's.
 * Words absent from the index are dropped; the rest come back rarest first.
 *
 * Counting a term's documents reads its whole posting list (≈ 0.5 ms for a word in 20,000 of
 * 100,000 nodes), so the frequencies of common terms are remembered in the process and counted
 * again once the store has grown or shrunk by 5 %: for them a few percent of drift changes
 * their (small) weights negligibly. Rare terms — where one new node matters — are always counted.
 */
function createTermAnalyzer(db: Db, corpusNodes: () => number): {
  analyze(words: readonly string[]): AnalyzedTerm[];
  /** bm25's idf of each analysed word (words absent from the index get the highest). */
  idfWeights(terms: readonly AnalyzedTerm[], total: number): (word: string) => number;
} {
  db.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.context_query_tok USING fts5(w, tokenize='porter unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.context_query_vocab USING fts5vocab(temp, context_query_tok, 'instance');
  `);
  const clear = db.prepare('DELETE FROM temp.context_query_tok');
  const insert = db.prepare('INSERT INTO temp.context_query_tok(rowid, w) VALUES (?, ?)');
  const stems = db.prepare<[], { doc: number; term: string }>('SELECT doc, term FROM temp.context_query_vocab');
  const df = db.prepare<[string], { doc: number }>('SELECT doc FROM context_fts_terms WHERE term = ?');
  const common = new Map<string, { df: number; nodes: number }>();
  const documentFrequency = (stem: string, nodes: number): number => {
    const known = common.get(stem);
    if (known && Math.abs(nodes - known.nodes) <= known.nodes * COMMON_DF_DRIFT) return known.df;
    const count = df.get(stem)?.doc ?? 0;
    if (count >= COMMON_DF) {
      if (common.size >= 50_000) common.clear();
      common.set(stem, { df: count, nodes });
    } else common.delete(stem);
    return count;
  };
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
      const nodes = corpusNodes();
      for (const [stem, word] of byStem) {
        const count = documentFrequency(stem, nodes);
        if (count > 0) terms.push({ word, stem, df: count });
      }
      return terms.sort((a, b) => a.df - b.df);
    },
    idfWeights(terms, total) {
      const idf = (df: number): number => Math.log(1 + (total - df + 0.5) / (df + 0.5));
      const known = new Map(terms.map((t) => [t.word, idf(t.df)]));
      const highest = idf(0);
      return (word) => known.get(word) ?? highest;
    },
  };
}
