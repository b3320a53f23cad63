/**
 * Embedding providers turn text into vectors for semantic search. A provider's `id` names the
 * model and dimension: vectors are stored with it, and ones made by another provider are ignored
 * and re-embedded, so switching providers never mixes incomparable vectors.
 */
export interface EmbeddingProvider {
  /** Stable identity of the vector space, e.g. "lexical-hash-v1/512" or "ollama:nomic-embed-text". */
  readonly id: string;
  readonly kind: EmbeddingProviderKind;
  /** Texts per request the provider handles well. */
  readonly batchSize: number;
  /** One vector per text, in order. */
  embed(texts: readonly string[], options?: { readonly signal?: AbortSignal }): Promise<Float32Array[]>;
  /**
   * Optional: a query vector with per-word weights (the searcher passes inverse document
   * frequencies from the keyword index). Providers that cannot weight words omit it.
   */
  embedQuery?(text: string, wordWeight: (word: string) => number): Promise<Float32Array>;
}

export type EmbeddingProviderKind = 'lexical' | 'ollama' | 'openai-compatible';

/** How the memory embeds text. `none` disables semantic search (keyword search still works). */
export type EmbeddingSettings =
  | { readonly provider: 'none' }
  | { readonly provider: 'lexical'; readonly dimensions?: number }
  | {
      readonly provider: 'ollama';
      readonly model: string;
      /** Default http://127.0.0.1:11434. */
      readonly endpoint?: string;
      readonly timeoutMs?: number;
    }
  | {
      readonly provider: 'openai-compatible';
      readonly model: string;
      /** Base URL up to and including /v1, e.g. https://api.openai.com/v1. */
      readonly endpoint: string;
      readonly apiKey?: string;
      readonly dimensions?: number;
      readonly timeoutMs?: number;
    };

/** The default: the offline lexical provider (no download, no server). */
export const DEFAULT_EMBEDDING: EmbeddingSettings = { provider: 'lexical' };

/** L2-normalises in place and returns the vector (zero vectors stay zero). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += (vector[i] ?? 0) * (vector[i] ?? 0);
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}
