/**
 * A circuit breaker per agent. closed → open after `failureThreshold` consecutive failures of
 * breaker kinds (policy.ts) → half_open once `recoveryTimeoutMs` has passed → one trial call:
 * success closes it, a breaker-kind failure opens it again.
 *
 * The state lives in a `CircuitStore` and is re-read on every decision, so it survives between
 * CLI runs (one run = one process) and is shared by processes using the same database.
 */
import type { FailureKind } from '../adapters/spec.js';
import { tripsBreaker, type ResiliencePolicy } from './policy.js';

export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/** What is persisted per agent. Times are epoch milliseconds. */
export interface CircuitSnapshot {
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  readonly openedAt?: number;
  readonly openUntil?: number;
  /** A half-open trial call is running since then. */
  readonly trialStartedAt?: number;
}

export interface CircuitStore {
  loadCircuit(agent: string): CircuitSnapshot | undefined;
  saveCircuit(agent: string, snapshot: CircuitSnapshot): void;
}

export const CLOSED: CircuitSnapshot = { state: 'closed', consecutiveFailures: 0 };

/** A store in memory (library use without a database, tests). */
export function createMemoryCircuitStore(): CircuitStore {
  const map = new Map<string, CircuitSnapshot>();
  return {
    loadCircuit: (agent) => map.get(agent),
    saveCircuit: (agent, snapshot) => void map.set(agent, snapshot),
  };
}

/**
 * When an open circuit may try again: opened at + the recovery timeout in force now (so a
 * changed `recovery_timeout` applies to circuits already open), else the stored open-until.
 */
export function reopensAt(snapshot: CircuitSnapshot, recoveryTimeoutMs: number): number | undefined {
  return snapshot.openedAt !== undefined ? snapshot.openedAt + recoveryTimeoutMs : snapshot.openUntil;
}

/**
 * The state as seen now: an open circuit whose timeout has passed reads as half_open. A trial
 * that started more than one recovery timeout ago is considered lost (its process died), so a
 * new trial may start.
 */
export function effectiveState(snapshot: CircuitSnapshot, now: number, recoveryTimeoutMs: number): CircuitSnapshot {
  const until = reopensAt(snapshot, recoveryTimeoutMs);
  if (snapshot.state === 'open' && until !== undefined && now >= until) {
    return { ...snapshot, state: 'half_open', trialStartedAt: undefined };
  }
  if (
    snapshot.state === 'half_open' &&
    snapshot.trialStartedAt !== undefined &&
    now - snapshot.trialStartedAt >= recoveryTimeoutMs
  ) {
    return { ...snapshot, trialStartedAt: undefined };
  }
  return snapshot;
}

export type Admission =
  | { readonly allowed: true; readonly trial: boolean }
  | {
      readonly allowed: false;
      readonly state: 'open' | 'half_open';
      readonly openUntil?: number;
      readonly consecutiveFailures: number;
    };

export interface CircuitBreaker {
  readonly agent: string;
  /** The current snapshot (effective state, nothing written). */
  snapshot(): CircuitSnapshot;
  /** Asks to make a call. A half-open circuit admits exactly one trial at a time. */
  admit(): Admission;
  /** Reports how an admitted call ended; returns the circuit as it is after it. */
  record(outcome: { readonly success: true } | { readonly success: false; readonly kind: FailureKind }): CircuitSnapshot;
}

export interface CircuitBreakerSettings {
  readonly agent: string;
  readonly policy: ResiliencePolicy['breaker'];
  readonly store?: CircuitStore;
  /** Epoch milliseconds (injected in tests). */
  readonly now?: () => number;
  /** Told about every state change (metrics, logs). */
  readonly onStateChange?: (agent: string, from: CircuitState, to: CircuitSnapshot) => void;
}

export function createCircuitBreaker(settings: CircuitBreakerSettings): CircuitBreaker {
  const { agent, policy } = settings;
  const store = settings.store ?? createMemoryCircuitStore();
  const now = settings.now ?? Date.now;

  const stored = (): CircuitSnapshot => store.loadCircuit(agent) ?? CLOSED;
  const load = (): CircuitSnapshot => effectiveState(stored(), now(), policy.recoveryTimeoutMs);

  const save = (from: CircuitState, next: CircuitSnapshot): CircuitSnapshot => {
    store.saveCircuit(agent, next);
    if (from !== next.state) settings.onStateChange?.(agent, from, next);
    return next;
  };

  const open = (failures: number): CircuitSnapshot => {
    const at = now();
    return { state: 'open', consecutiveFailures: failures, openedAt: at, openUntil: at + policy.recoveryTimeoutMs };
  };

  return {
    agent,
    snapshot: load,
    admit() {
      if (!policy.enabled) return { allowed: true, trial: false };
      const raw = stored();
      const current = effectiveState(raw, now(), policy.recoveryTimeoutMs);
      switch (current.state) {
        case 'closed':
          return { allowed: true, trial: false };
        case 'open': {
          const until = reopensAt(current, policy.recoveryTimeoutMs);
          return {
            allowed: false,
            state: 'open',
            consecutiveFailures: current.consecutiveFailures,
            ...(until === undefined ? {} : { openUntil: until }),
          };
        }
        case 'half_open':
          if (current.trialStartedAt !== undefined) {
            return { allowed: false, state: 'half_open', consecutiveFailures: current.consecutiveFailures };
          }
          save(raw.state, { ...current, state: 'half_open', trialStartedAt: now() });
          return { allowed: true, trial: true };
      }
    },
    record(outcome) {
      if (!policy.enabled) return load();
      const raw = stored();
      const current = effectiveState(raw, now(), policy.recoveryTimeoutMs);
      if (outcome.success) {
        if (current.state === 'closed' && current.consecutiveFailures === 0) return current;
        return save(raw.state, CLOSED);
      }
      if (!tripsBreaker(outcome.kind)) {
        // The provider's health says nothing here; a half-open trial is released for another.
        if (current.state === 'half_open' && current.trialStartedAt !== undefined) {
          const { trialStartedAt: _released, ...rest } = current;
          return save(raw.state, rest);
        }
        return current;
      }
      const failures = current.consecutiveFailures + 1;
      if (current.state !== 'closed' || failures >= policy.failureThreshold) return save(raw.state, open(failures));
      return save(raw.state, { state: 'closed', consecutiveFailures: failures });
    },
  };
}
