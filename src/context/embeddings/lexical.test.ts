import { describe, expect, it } from 'vitest';
import { createLexicalEmbedding, lexicalSimilarity, lexicalVector } from './lexical.js';

/** Σ (i + 1) · vᵢ and the count of non-zero dimensions: a fingerprint of a whole vector. */
function fingerprint(vector: Float32Array): { checksum: number; nonZero: number } {
  let checksum = 0;
  let nonZero = 0;
  vector.forEach((value, i) => {
    checksum += (i + 1) * value;
    if (value !== 0) nonZero += 1;
  });
  return { checksum, nonZero };
}

const SENTENCE = 'Tokenizers split text into tokens; tokenization matters for search.';
/** 2,500 distinct words: more features than the embedder's first table holds. */
const MANY_WORDS = Array.from({ length: 2500 }, (_, i) => `w${(i * 7919) % 10007}x${i % 13}`).join(' ');

describe('lexical embedding', () => {
  // Stored vectors are tagged "lexical-hash-v1/<dims>": the same text must keep giving the same
  // vector, or stores written before would be compared with vectors of another space. These
  // fingerprints were taken from the first implementation; a change of the features needs a new id.
  it('gives the vectors of lexical-hash-v1 (fingerprints of the first implementation)', () => {
    expect(fingerprint(lexicalVector(SENTENCE, 1024))).toEqual({ checksum: expect.closeTo(-785.4722912861034, 9), nonZero: 77 });
    expect(fingerprint(lexicalVector(SENTENCE, 1000))).toEqual({ checksum: expect.closeTo(-658.1878376500681, 9), nonZero: 74 });
    const weighted = lexicalVector('Vitamin D deficiency in patients with chronic kidney disease', 1024, (w) => w.length / 3);
    expect(fingerprint(weighted)).toEqual({ checksum: expect.closeTo(711.2341879475862, 9), nonZero: 79 });
    expect(fingerprint(lexicalVector(MANY_WORDS, 1024))).toEqual({ checksum: expect.closeTo(205.16450476168143, 9), nonZero: 1024 });
  });

  it('is unit length, deterministic across calls, and matches shared word pieces', async () => {
    const a = lexicalVector(SENTENCE, 1024);
    lexicalVector(MANY_WORDS, 1024);
    expect(lexicalVector(SENTENCE, 1024)).toEqual(a);
    expect(a.reduce((sum, v) => sum + v * v, 0)).toBeCloseTo(1, 5);
    expect(lexicalSimilarity('tokenizer settings', 'tokenization settings')).toBeGreaterThan(lexicalSimilarity('tokenizer settings', 'garden furniture'));
    const [embedded] = await createLexicalEmbedding({ dimensions: 1024 }).embed([SENTENCE]);
    expect(embedded).toEqual(a);
  });
});
