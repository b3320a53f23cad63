import { describe, expect, it } from 'vitest';
import { runAgent } from '../adapters/run-agent.js';
import type { AgentAdapterV1, AgentEvent } from '../adapters/spec.js';
import { openDatabase } from '../storage/database.js';
import { createAgentHealthStore } from './agent-health-store.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import type { ResiliencePolicy } from './policy.js';
import { withResilience } from './with-resilience.js';

/** A scripted adapter: each call replays the next script and counts the calls it got. */
function scripted(scripts: readonly (readonly AgentEvent[])[]): AgentAdapterV1 & { calls: number } {
  const adapter = {
    specificationVersion: 'agent-v1' as const,
    name: 'fake',
    kind: 'generic' as const,
    transport: 'cli' as const,
    local: false,
    calls: 0,
    async *doRun(): AsyncGenerator<AgentEvent> {
      const script = scripts[Math.min(adapter.calls, scripts.length - 1)] ?? [];
      adapter.calls += 1;
      await Promise.resolve();
      yield* script;
    },
    checkAvailable: () => Promise.resolve({ available: true, detail: 'fake' }),
  };
  return adapter;
}

const fail = (kind: 'server' | 'auth' | 'rate_limit', retryAfterSeconds?: number): AgentEvent[] => {
  const error = { kind, message: `${kind} failure`, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  return [{ type: 'start' }, { type: 'error', error }, { type: 'finish', success: false, error }];
};
const ok = (text: string): AgentEvent[] => [
  { type: 'start' },
  { type: 'text', text },
  { type: 'usage', usage: { inputTokens: 1000, outputTokens: 500 } },
  { type: 'finish', success: true },
];

const policy = (maxAttempts: number, failureThreshold = 5): ResiliencePolicy => ({
  retry: { maxAttempts, baseDelayMs: 100, maxDelayMs: 1000 },
  breaker: { enabled: true, failureThreshold, recoveryTimeoutMs: 60_000 },
});
const request = { prompt: 'p', role: 'implement' as const, cwd: '/tmp' };

describe('withResilience', () => {
  it('retries a transient failure after the retry-after delay and records every attempt', async () => {
    const inner = scripted([fail('rate_limit', 0.5), ok('done')]);
    const store = createAgentHealthStore(openDatabase(':memory:'));
    const waits: number[] = [];
    const adapter = withResilience(inner, policy(3), {
      recordCall: (c) => store.recordCall(c),
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const result = await runAgent(adapter, request);
    expect(result).toMatchObject({ success: true, output: 'done' });
    expect(inner.calls).toBe(2);
    expect(waits).toEqual([500]);
    expect(store.aggregates().map((a) => [a.outcome, a.failureKind, a.calls])).toEqual([
      ['failure', 'rate_limit', 1],
      ['success', null, 1],
    ]);
  });

  it('does not retry non-transient kinds', async () => {
    const inner = scripted([fail('auth'), ok('never')]);
    const result = await runAgent(withResilience(inner, policy(3), { sleep: () => Promise.resolve() }), request);
    expect(result).toMatchObject({ success: false, error: { kind: 'auth' } });
    expect(inner.calls).toBe(1);
  });

  it('gives up after max_attempts with the last error', async () => {
    const inner = scripted([fail('server')]);
    const result = await runAgent(withResilience(inner, policy(2), { sleep: () => Promise.resolve() }), request);
    expect(result).toMatchObject({ success: false, error: { kind: 'server' } });
    expect(inner.calls).toBe(2);
  });

  it('never repeats a call that already produced output', async () => {
    const error = { kind: 'server' as const, message: '500' };
    const inner = scripted([[{ type: 'text-delta', text: 'half an answer' }, { type: 'finish', success: false, error }], ok('x')]);
    const result = await runAgent(withResilience(inner, policy(3), { sleep: () => Promise.resolve() }), request);
    expect(inner.calls).toBe(1);
    expect(result).toMatchObject({ success: false, output: 'half an answer', error: { kind: 'server' } });
  });

  it('an open circuit yields circuit_open without calling the adapter', async () => {
    const inner = scripted([fail('server')]);
    const breaker = createCircuitBreaker({ agent: 'fake', policy: policy(1, 2).breaker });
    const store = createAgentHealthStore(openDatabase(':memory:'));
    const adapter = withResilience(inner, policy(1, 2), { breaker, recordCall: (c) => store.recordCall(c) });
    await runAgent(adapter, request);
    await runAgent(adapter, request);
    expect(inner.calls).toBe(2);
    const skipped = await runAgent(adapter, request);
    expect(inner.calls).toBe(2);
    expect(skipped).toMatchObject({ success: false, error: { kind: 'circuit_open' } });
    expect(skipped.error?.message).toMatch(/circuit open after 2 consecutive failures/);
    expect(store.health('fake')).toMatchObject({ calls: 2, lastFailureKind: 'server' });
  });

  it('stops retrying once its own failures open the circuit', async () => {
    const inner = scripted([fail('server')]);
    const breaker = createCircuitBreaker({ agent: 'fake', policy: policy(5, 2).breaker });
    const result = await runAgent(withResilience(inner, policy(5, 2), { breaker, sleep: () => Promise.resolve() }), request);
    expect(inner.calls).toBe(2);
    expect(result.error?.kind).toBe('server');
    expect(breaker.snapshot().state).toBe('open');
  });

  it('prices tokens when the CLI reports no cost, and keeps a reported cost', async () => {
    const price = { inputPerMtok: 3, outputPerMtok: 15 };
    const priced = await runAgent(withResilience(scripted([ok('a')]), policy(1), { price }), request);
    expect(priced.usage).toEqual({ inputTokens: 1000, outputTokens: 500, costUsd: 0.0105 });
    const reported = scripted([
      [{ type: 'usage', usage: { inputTokens: 10, outputTokens: 10, costUsd: 0.5 } }, { type: 'finish', success: true, output: 'x' }],
    ]);
    expect((await runAgent(withResilience(reported, policy(1), { price }), request)).usage.costUsd).toBe(0.5);
  });

  it('a cancelled wait ends the call as cancelled', async () => {
    const inner = scripted([fail('server'), ok('x')]);
    const controller = new AbortController();
    const adapter = withResilience(inner, { ...policy(3), retry: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const pending = runAgent(adapter, request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    expect(result).toMatchObject({ success: false, error: { kind: 'cancelled' } });
    expect(inner.calls).toBe(1);
  });
});
