/**
 * Resilience policy as data: which failure kinds are retried, which trip a circuit breaker, and
 * the per-agent numbers (global `settings.resilience`, overridden by `agents.X.resilience`).
 * Everything else in src/resilience decides from these tables and nothing else. (Which kinds
 * move a step to its fallback agent is the engine's table: src/workflow/fallback.ts; it includes
 * `circuit_open`.)
 */
import type { AgentConfig, ResilienceConfig } from '../config/schema.js';
import type { FailureKind } from '../adapters/spec.js';

/**
 * Kinds worth another attempt on the same agent: the provider or the path to it hiccupped.
 * Not retried: auth, config, not_installed (the same call fails the same way), task_failed and
 * bad_output (the agent did run: a retry repeats paid work), cancelled (the user asked to stop),
 * quota (spent credit does not come back in seconds) and circuit_open (retrying would defeat it).
 */
export const RETRYABLE_KINDS: ReadonlySet<FailureKind> = new Set(['rate_limit', 'server', 'network', 'timeout']);

/**
 * Kinds that count towards opening an agent's circuit: the retryable ones plus quota (the
 * provider will keep refusing). Other failures neither count nor reset the count; a success resets.
 */
export const BREAKER_KINDS: ReadonlySet<FailureKind> = new Set(['rate_limit', 'server', 'network', 'timeout', 'quota']);

export function isRetryableKind(kind: FailureKind): boolean {
  return RETRYABLE_KINDS.has(kind);
}

export function tripsBreaker(kind: FailureKind): boolean {
  return BREAKER_KINDS.has(kind);
}

/** The effective policy for one agent, in domain units (milliseconds). */
export interface ResiliencePolicy {
  readonly retry: {
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
  };
  readonly breaker: {
    readonly enabled: boolean;
    readonly failureThreshold: number;
    readonly recoveryTimeoutMs: number;
  };
  /** Calls per minute; undefined = unlimited. */
  readonly ratePerMinute?: number;
  /** Simultaneous calls; undefined = unlimited. */
  readonly maxConcurrency?: number;
}

/** Merges the global resilience settings with an agent's overrides. */
export function resolvePolicy(global: ResilienceConfig, agent?: Pick<AgentConfig, 'resilience'>): ResiliencePolicy {
  const own = agent?.resilience;
  const retry = { ...global.retry, ...definedOnly(own?.retry ?? {}) };
  const breaker = { ...global.circuit_breaker, ...definedOnly(own?.circuit_breaker ?? {}) };
  const rate = own?.rate_limit ?? global.rate_limit;
  const concurrency = own?.max_concurrency ?? global.max_concurrency;
  return {
    retry: {
      maxAttempts: retry.max_attempts,
      baseDelayMs: Math.round(retry.base_delay * 1000),
      maxDelayMs: Math.round(retry.max_delay * 1000),
    },
    breaker: {
      enabled: breaker.enabled,
      failureThreshold: breaker.failure_threshold,
      recoveryTimeoutMs: Math.round(breaker.recovery_timeout * 1000),
    },
    ...(rate === undefined ? {} : { ratePerMinute: rate }),
    ...(concurrency === undefined ? {} : { maxConcurrency: concurrency }),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
