/**
 * The built-in offline embedding: feature hashing of words, word pairs and character n-grams into
 * a fixed-size vector. It needs no model and no network, and it is LEXICAL, not semantic: it
 * matches shared words and word pieces (so "tokenizer" meets "tokenization"), never synonyms.
 * Use Ollama or an OpenAI-compatible server for meaning-level similarity.
 */
import { STOP_WORDS, words } from '../fts-query.js';
import { normalize, type EmbeddingProvider } from './provider.js';

export interface LexicalEmbeddingSettings {
  /** Vector size (default 1024; 512 measured 0.42 vs 0.51 nDCG@10 alone on SciFact: collisions). */
  readonly dimensions?: number;
}

export function createLexicalEmbedding(settings: LexicalEmbeddingSettings = {}): EmbeddingProvider {
  const dimensions = settings.dimensions ?? 1024;
  return {
    id: `lexical-hash-v1/${dimensions}`,
    kind: 'lexical',
    batchSize: 256,
    embed: (texts) => Promise.resolve(texts.map((text) => lexicalVector(text, dimensions))),
    embedQuery: (text, wordWeight) => Promise.resolve(lexicalVector(text, dimensions, wordWeight)),
  };
}

/**
 * The lexical vector of one text (synchronous: also used for near-duplicate checks).
 * `wordWeight` scales each word's features — the searcher passes the index's inverse document
 * frequency for query words, so rare words dominate the query side as they do in bm25.
 */
export function lexicalVector(text: string, dimensions = 512, wordWeight?: (word: string) => number): Float32Array {
  const vector = new Float32Array(dimensions);
  // Features are keyed by their 32-bit hash (computed over character ranges, no strings built).
  const tfs = new Map<number, number>();
  const featureWeights = new Map<number, number>();
  const add = (hash: number, tf: number, weight: number): void => {
    const previous = tfs.get(hash);
    if (previous === undefined) {
      tfs.set(hash, tf);
      featureWeights.set(hash, weight);
    } else tfs.set(hash, previous + tf);
  };
  const kept = words(text.slice(0, 20_000)).filter((w) => !STOP_WORDS.has(w) && w.length > 1);
  const weights = kept.map((w) => wordWeight?.(w) ?? 1);
  for (let i = 0; i < kept.length; i++) {
    const word = kept[i] ?? '';
    const weight = weights[i] ?? 1;
    const wordHash = fnv(WORD_SEED, word, 0, word.length);
    add(wordHash, 1, weight);
    const next = kept[i + 1];
    if (next !== undefined) add(fnv(fnv(BIGRAM_SEED ^ wordHash, ' ', 0, 1), next, 0, next.length), 0.5, Math.min(weight, weights[i + 1] ?? 1));
    const padded = `<${word}>`;
    const grams = Math.max(0, padded.length - 3) + Math.max(0, padded.length - 4);
    if (grams === 0) continue;
    for (const n of [4, 5]) {
      for (let j = 0; j + n <= padded.length; j++) add(fnv(GRAM_SEED, padded, j, j + n), 1 / grams, weight);
    }
  }
  for (const [hash, tf] of tfs) {
    const index = hash % dimensions;
    const sign = hash & 0x80000000 ? -1 : 1;
    const weight = featureWeights.get(hash) ?? 1;
    // Sub-linear term frequency: a word repeated ten times is not ten times the evidence.
    vector[index] = (vector[index] ?? 0) + sign * weight * (tf >= 1 ? 1 + Math.log(tf) : tf);
  }
  return normalize(vector);
}

const WORD_SEED = 0x811c9dc5;
const BIGRAM_SEED = 0x9e3779b9;
const GRAM_SEED = 0x7f4a7c15;

/** FNV-1a over text[start, end), continuing from `seed`. */
function fnv(seed: number, text: string, start: number, end: number): number {
  let hash = seed;
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Cosine similarity of two texts' lexical vectors, in [-1, 1] (1 = same words). */
export function lexicalSimilarity(a: string, b: string): number {
  const va = lexicalVector(a);
  const vb = lexicalVector(b);
  let dot = 0;
  for (let i = 0; i < va.length; i++) dot += (va[i] ?? 0) * (vb[i] ?? 0);
  return dot;
}
