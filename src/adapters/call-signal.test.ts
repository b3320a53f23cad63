import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { abortKind } from '../shared/abort.js';
import { callSignal } from './call-signal.js';

/** A full garbage collection, now (the flag can be set at run time; `gc` then exists in a new context). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('the signal of an agent call', () => {
  it('aborts as a timeout when its limit passes, across a garbage collection', async () => {
    const { signal } = callSignal(new AbortController().signal, 200);
    await sleep(50);
    collectGarbage();
    await sleep(400);
    expect(signal.aborted).toBe(true);
    expect(abortKind(signal)).toBe('timeout');
  });

  it("aborts with the caller's reason when the caller's signal aborts first, also one aborted already", () => {
    const caller = new AbortController();
    const call = callSignal(caller.signal, 60_000);
    caller.abort(new Error('stop'));
    expect(call.signal.reason).toEqual(new Error('stop'));
    expect(abortKind(call.signal)).toBe('cancelled');
    call.dispose();
    expect(callSignal(caller.signal, 60_000).signal.aborted).toBe(true);
  });

  it('passes on a timeout of the caller as a timeout', async () => {
    const outer = callSignal(undefined, 50);
    const inner = callSignal(outer.signal);
    await sleep(200);
    expect(abortKind(inner.signal)).toBe('timeout');
  });

  it('is aborted by its own abort, and once disposed neither its limit nor the caller reach it', async () => {
    const own = callSignal(undefined);
    own.abort();
    expect(abortKind(own.signal)).toBe('cancelled');
    const caller = new AbortController();
    const call = callSignal(caller.signal, 50);
    call.dispose();
    caller.abort();
    await sleep(200);
    expect(call.signal.aborted).toBe(false);
  });
});
