/**
 * Resilience policy as data. One table says, for every failure kind, what the system does with
 * it — retry on the same agent, count it toward the circuit breaker, move the step to its
 * fallback agent, count it against the agent's success rate (what the planner routes on), and
 * remember it as a mistake in memory. Everything else (retry.ts, circuit-breaker.ts,
 * workflow/fallback.ts, the health store, the memory hook) reads these answers and nothing else.
 * The per-agent numbers come from `settings.resilience`, overridden by `agents.X.resilience`.
 */
import type { AgentConfig, ResilienceConfig } from '../config/schema.js';
import type { FailureKind } from '../adapters/spec.js';

export interface FailureHandling {
  /** Another attempt on the same agent may succeed: the provider or the path to it hiccupped. */
  readonly retry: boolean;
  /** Repeated, it means the provider is down for now: counts toward opening the circuit. */
  readonly breaker: boolean;
  /** Another agent could get past it, so the step moves to its fallback. */
  readonly fallback: boolean;
  /** The agent (or its setup) could not do the work: lowers its success rate for routing. */
  readonly health: boolean;
  /** The agent itself got the work wrong: stored in memory as a mistake to avoid next time. */
  readonly mistake: boolean;
}

/**
 * Why each row reads as it does:
 * - auth, config, not_installed: the same call fails the same way (no retry); another agent
 *   would hide a setup problem the user must fix (auth, config: no fallback), except a missing
 *   binary or model, where a fallback is the point. They do mark the agent unusable for routing.
 * - rate_limit, server, network, timeout: transient — retried, trip the breaker, fall back.
 * - quota: spent credit does not come back in seconds (no retry) but the provider will keep
 *   refusing (breaker, fallback).
 * - task_failed, bad_output: the agent ran and failed at the task itself: a retry would repeat
 *   paid work, another agent would not fix the task; the only kinds that are the agent's mistake.
 * - cancelled: the user asked to stop — nobody's failure, counted nowhere.
 * - circuit_open: nothing ran; retrying would defeat the breaker, a fallback is the point.
 */
export const FAILURE_POLICY: Readonly<Record<FailureKind, FailureHandling>> = {
  auth: { retry: false, breaker: false, fallback: false, health: true, mistake: false },
  config: { retry: false, breaker: false, fallback: false, health: true, mistake: false },
  not_installed: { retry: false, breaker: false, fallback: true, health: true, mistake: false },
  rate_limit: { retry: true, breaker: true, fallback: true, health: true, mistake: false },
  server: { retry: true, breaker: true, fallback: true, health: true, mistake: false },
  network: { retry: true, breaker: true, fallback: true, health: true, mistake: false },
  timeout: { retry: true, breaker: true, fallback: true, health: true, mistake: false },
  quota: { retry: false, breaker: true, fallback: true, health: true, mistake: false },
  task_failed: { retry: false, breaker: false, fallback: false, health: true, mistake: true },
  bad_output: { retry: false, breaker: false, fallback: false, health: true, mistake: true },
  cancelled: { retry: false, breaker: false, fallback: false, health: false, mistake: false },
  circuit_open: { retry: false, breaker: false, fallback: true, health: false, mistake: false },
};

function kindsWhere(property: keyof FailureHandling): ReadonlySet<FailureKind> {
  return new Set((Object.keys(FAILURE_POLICY) as FailureKind[]).filter((kind) => FAILURE_POLICY[kind][property]));
}

export const RETRYABLE_KINDS = kindsWhere('retry');
export const BREAKER_KINDS = kindsWhere('breaker');
export const FALLBACK_KINDS = kindsWhere('fallback');
/** Failure kinds that lower an agent's success rate; the others are left out of it entirely. */
export const HEALTH_KINDS = kindsWhere('health');
export const MISTAKE_KINDS = kindsWhere('mistake');

export function isRetryableKind(kind: FailureKind): boolean {
  return FAILURE_POLICY[kind].retry;
}

export function tripsBreaker(kind: FailureKind): boolean {
  return FAILURE_POLICY[kind].breaker;
}

export function shouldFallBack(kind: FailureKind | undefined): boolean {
  return kind !== undefined && FAILURE_POLICY[kind].fallback;
}

export function isAgentMistake(kind: FailureKind | undefined): boolean {
  return kind !== undefined && FAILURE_POLICY[kind].mistake;
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
