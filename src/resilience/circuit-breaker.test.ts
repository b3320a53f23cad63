import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker, createMemoryCircuitStore, type CircuitState } from './circuit-breaker.js';

const policy = { enabled: true, failureThreshold: 3, recoveryTimeoutMs: 60_000 };

describe('circuit breaker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens after threshold consecutive transient failures, half-opens after the timeout, closes on a good trial', () => {
    const changes: string[] = [];
    const breaker = createCircuitBreaker({
      agent: 'codex',
      policy,
      onStateChange: (_agent, from: CircuitState, to) => changes.push(`${from}->${to.state}`),
    });
    for (let i = 0; i < 2; i += 1) {
      expect(breaker.admit()).toEqual({ allowed: true, trial: false });
      breaker.record({ success: false, kind: 'server' });
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    breaker.record({ success: false, kind: 'timeout' });
    expect(breaker.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 3, openUntil: Date.now() + 60_000 });
    expect(breaker.admit()).toMatchObject({ allowed: false, state: 'open' });

    vi.advanceTimersByTime(59_999);
    expect(breaker.admit().allowed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(breaker.snapshot().state).toBe('half_open');
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
    // exactly one trial at a time
    expect(breaker.admit()).toMatchObject({ allowed: false, state: 'half_open' });
    breaker.record({ success: true });
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0 });
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('a failed trial opens the circuit again for a full timeout', () => {
    const breaker = createCircuitBreaker({ agent: 'a', policy: { ...policy, failureThreshold: 1 } });
    breaker.record({ success: false, kind: 'network' });
    vi.advanceTimersByTime(60_000);
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
    breaker.record({ success: false, kind: 'server' });
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openUntil: Date.now() + 60_000 });
  });

  it('non-transient failures neither count nor reset; a success resets', () => {
    const breaker = createCircuitBreaker({ agent: 'a', policy });
    breaker.record({ success: false, kind: 'server' });
    breaker.record({ success: false, kind: 'task_failed' });
    breaker.record({ success: false, kind: 'auth' });
    breaker.record({ success: false, kind: 'server' });
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    breaker.record({ success: true });
    breaker.record({ success: false, kind: 'server' });
    breaker.record({ success: false, kind: 'server' });
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
  });

  it('a cancelled trial releases the half-open slot for another trial', () => {
    const breaker = createCircuitBreaker({ agent: 'a', policy: { ...policy, failureThreshold: 1 } });
    breaker.record({ success: false, kind: 'server' });
    vi.advanceTimersByTime(60_000);
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
    breaker.record({ success: false, kind: 'cancelled' });
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
  });

  it('state lives in the store: a second breaker (another process) sees the open circuit', () => {
    const store = createMemoryCircuitStore();
    const first = createCircuitBreaker({ agent: 'a', policy: { ...policy, failureThreshold: 1 }, store });
    first.record({ success: false, kind: 'rate_limit' });
    const second = createCircuitBreaker({ agent: 'a', policy, store });
    expect(second.admit()).toMatchObject({ allowed: false, state: 'open' });
  });

  it('a disabled breaker admits everything', () => {
    const breaker = createCircuitBreaker({ agent: 'a', policy: { ...policy, enabled: false, failureThreshold: 1 } });
    breaker.record({ success: false, kind: 'server' });
    expect(breaker.admit()).toEqual({ allowed: true, trial: false });
  });
});
