import { describe, expect, it } from 'vitest';
import { ndcgAt, percentile, recallAt } from '../../bench/memory-metrics.js';

describe('benchmark metrics', () => {
  const relevant = new Map([
    ['a', 2],
    ['b', 1],
  ]);

  it('computes nDCG@k against hand-worked values', () => {
    expect(ndcgAt(['a', 'b', 'x'], relevant, 10)).toBeCloseTo(1, 10);
    // dcg = 1/log2(2) + 2/log2(3) ; idcg = 2/log2(2) + 1/log2(3)
    const expected = (1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3));
    expect(ndcgAt(['b', 'a'], relevant, 10)).toBeCloseTo(expected, 10);
    expect(ndcgAt(['x', 'y', 'a'], relevant, 2)).toBe(0);
    expect(ndcgAt(['a'], new Map(), 10)).toBe(0);
  });

  it('computes recall@k and nearest-rank percentiles', () => {
    expect(recallAt(['x', 'b'], relevant, 10)).toBe(0.5);
    expect(recallAt(['x', 'b'], relevant, 1)).toBe(0);
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 0.99)).toBe(5);
  });
});
