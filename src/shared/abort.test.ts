import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { abortKind, withTimeout } from './abort.js';

/** A full garbage collection, now (the flag can be set at run time; `gc` then exists in a new context). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('withTimeout', () => {
  it('times out although nothing but the combined signal refers to the timeout, across a garbage collection', async () => {
    const cancel = new AbortController();
    const signal = withTimeout(cancel.signal, 300);
    // Once the call has returned (a collection inside it would still see the timeout referenced).
    await sleep(50);
    collectGarbage();
    await sleep(600);
    expect(signal?.aborted).toBe(true);
    expect(signal && abortKind(signal)).toBe('timeout');
  });

  it('is cancelled by the signal it combines, before the time runs out', () => {
    const cancel = new AbortController();
    const signal = withTimeout(cancel.signal, 60_000);
    cancel.abort();
    expect(signal?.aborted).toBe(true);
    expect(signal && abortKind(signal)).toBe('cancelled');
  });
});
