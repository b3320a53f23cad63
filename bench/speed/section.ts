/**
 * One part of the speed benchmark. A section measures its rows with the checkouts it is given;
 * adding a measurement to `npm run bench -- speed` is a new section file and one line in
 * bench/speed.bench.ts.
 */
import type { Checkout } from './checkout.js';
import type { SpeedRow } from './report.js';

export interface SpeedContext {
  /** The checkout this benchmark file belongs to ("after"). */
  readonly current: Checkout;
  /** BENCH_BEFORE: the checkout to compare with, measured interleaved with `current`. */
  readonly before?: Checkout;
  /** Measured rounds (BENCH_RUNS, default 15) after `warmup` discarded ones. */
  readonly runs: number;
  readonly warmup: number;
  /** A scratch directory removed after the run. */
  readonly scratch: string;
  /** Progress on stderr. */
  log(message: string): void;
}

export interface SpeedSection {
  readonly name: string;
  measure(context: SpeedContext): Promise<readonly SpeedRow[]>;
}
