/**
 * A token bucket per agent: `ratePerMinute` tokens flow in continuously, up to `capacity`;
 * each call takes one, waiting for the next token when the bucket is empty. Process-local: a
 * CLI run is short, and the provider's own 429s (retried, breaker-counted) cover the rest.
 */
import { sleep } from './retry.js';

export interface TokenBucketSettings {
  readonly ratePerMinute: number;
  /** Burst size; default one second's worth of tokens, at least 1. */
  readonly capacity?: number;
  /** Milliseconds clock (injected in tests). */
  readonly now?: () => number;
  /** How to wait (injected in tests). */
  readonly wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface TokenBucket {
  /** Takes a token now if one is there; the milliseconds until the next one otherwise. */
  tryTake(): { readonly ok: true } | { readonly ok: false; readonly waitMs: number };
  /** Resolves once a token was taken; rejects when the signal aborts. */
  take(signal?: AbortSignal): Promise<void>;
  /** Tokens in the bucket now (fractional). */
  available(): number;
}

export function createTokenBucket(settings: TokenBucketSettings): TokenBucket {
  const now = settings.now ?? (() => performance.now());
  const wait = settings.wait ?? sleep;
  const perMs = settings.ratePerMinute / 60_000;
  const capacity = settings.capacity ?? Math.max(1, Math.ceil(settings.ratePerMinute / 60));
  let tokens = capacity;
  let last = now();

  const refill = (): void => {
    const t = now();
    tokens = Math.min(capacity, tokens + (t - last) * perMs);
    last = t;
  };

  const bucket: TokenBucket = {
    tryTake() {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return { ok: true };
      }
      return { ok: false, waitMs: Math.ceil((1 - tokens) / perMs) };
    },
    async take(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const taken = bucket.tryTake();
        if (taken.ok) return;
        await wait(taken.waitMs, signal);
      }
    },
    available() {
      refill();
      return tokens;
    },
  };
  return bucket;
}
