/** Medians and percentiles of repeated timings, and the interleaving that keeps them comparable. */
import { percentile } from '../memory-metrics.js';

export { percentile };

export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

/**
 * Runs every measurement once per round, rotating which goes first, so drift of a shared machine
 * (another job starting, caches warming) hits all of them alike. The first `warmup` rounds are
 * run and discarded. Returns the samples per measurement, in the order given.
 */
export async function interleave(
  measurements: readonly (() => Promise<number>)[],
  rounds: number,
  warmup: number,
): Promise<number[][]> {
  const samples = measurements.map((): number[] => []);
  for (let round = 0; round < warmup + rounds; round++) {
    for (let j = 0; j < measurements.length; j++) {
      const index = (j + round) % measurements.length;
      const value = await measurements[index]?.();
      if (round >= warmup && value !== undefined) samples[index]?.push(value);
    }
  }
  return samples;
}
