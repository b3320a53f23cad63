import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './rate-limiter.js';

describe('token bucket', () => {
  it('allows a burst of its capacity, then one call per refill interval', () => {
    let now = 0;
    const bucket = createTokenBucket({ ratePerMinute: 60, capacity: 2, now: () => now });
    expect(bucket.tryTake().ok).toBe(true);
    expect(bucket.tryTake().ok).toBe(true);
    const refused = bucket.tryTake();
    expect(refused).toEqual({ ok: false, waitMs: 1000 });
    now = 500;
    expect(bucket.tryTake()).toEqual({ ok: false, waitMs: 500 });
    now = 1000;
    expect(bucket.tryTake().ok).toBe(true);
    now = 100_000;
    expect(bucket.available()).toBe(2);
  });

  it('take() waits for the next token on the injected clock', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = createTokenBucket({
      ratePerMinute: 6,
      now: () => now,
      wait: (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    await bucket.take();
    await bucket.take();
    expect(waits).toEqual([10_000]);
    expect(now).toBe(10_000);
  });

  it('take() rejects when the signal aborts', async () => {
    const bucket = createTokenBucket({ ratePerMinute: 1, capacity: 1 });
    await bucket.take();
    const controller = new AbortController();
    const pending = bucket.take(controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow(/abort/i);
  });
});
