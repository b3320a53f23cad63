/** Medians and percentiles of repeated timings, and the interleaving that keeps them comparable. */
import { percentile } from '../memory-metrics.js';

export { percentile };

export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

/**
 * Runs every measurement once per round, rotating which goes first and reversing the order every
 * other round, so drift of a shared machine (another job starting, caches warming) hits all of
 * them alike, and each follows each of the others equally often: what runs just before a
 * measurement (a burst of process starts, or code that evicts this one's from the CPU's caches)
 * changes its time by a few milliseconds. The first `warmup` rounds are run and discarded.
 * Returns the samples per measurement, in the order given.
 */
export async function interleave(
  measurements: readonly (() => Promise<number>)[],
  rounds: number,
  warmup: number,
): Promise<number[][]> {
  const samples = measurements.map((): number[] => []);
  const count = measurements.length;
  for (let round = 0; round < warmup + rounds; round++) {
    const first = Math.floor(round / 2) % count;
    const step = round % 2 === 0 ? 1 : count - 1;
    for (let j = 0; j < count; j++) {
      const index = (first + j * step) % count;
      const value = await measurements[index]?.();
      if (round >= warmup && value !== undefined) samples[index]?.push(value);
    }
  }
  return samples;
}
