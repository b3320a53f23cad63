import { describe, expect, it } from 'vitest';
import type { AgentError, FailureKind } from '../adapters/spec.js';
import { retryDelayMs, shouldRetry } from './retry.js';

const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };
const error = (kind: FailureKind, retryAfterSeconds?: number): AgentError => ({
  kind,
  message: kind,
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});

describe('retry', () => {
  it('retries only transient kinds', () => {
    for (const kind of ['rate_limit', 'server', 'network', 'timeout'] as const) expect(shouldRetry(error(kind), 1, policy)).toBe(true);
    for (const kind of ['auth', 'quota', 'task_failed', 'bad_output', 'cancelled', 'config', 'not_installed', 'circuit_open'] as const) {
      expect(shouldRetry(error(kind), 1, policy)).toBe(false);
    }
  });

  it('stops at max_attempts (1 = no retry)', () => {
    expect(shouldRetry(error('server'), 2, policy)).toBe(true);
    expect(shouldRetry(error('server'), 3, policy)).toBe(false);
    expect(shouldRetry(error('server'), 1, { ...policy, maxAttempts: 1 })).toBe(false);
  });

  it("honours the provider's retry-after, capped by max_delay", () => {
    expect(retryDelayMs(error('rate_limit', 7), 1, policy, () => 0.99)).toBe(7000);
    expect(retryDelayMs(error('rate_limit', 0.25), 2, policy)).toBe(250);
    expect(retryDelayMs(error('rate_limit', 3600), 1, policy)).toBe(30_000);
  });

  it('backs off exponentially with jitter between half and all of the ceiling', () => {
    expect(retryDelayMs(error('server'), 1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(error('server'), 1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(error('server'), 3, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(error('server'), 3, policy, () => 1)).toBe(4000);
    expect(retryDelayMs(error('server'), 20, policy, () => 1)).toBe(30_000);
  });
});
