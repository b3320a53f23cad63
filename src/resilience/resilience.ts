/**
 * The per-process resilience set-up: one breaker, rate limiter and concurrency slot pool per
 * agent, built from the config, and `wrap(resolve)` that puts `withResilience` around every
 * adapter an engine resolves by name. Circuit state and call records go to the health store
 * when one is given (the CLI always gives one, so the breaker means something across runs).
 */
import type { AgentAdapterV1 } from '../adapters/spec.js';
import type { OrchestratorConfig } from '../config/schema.js';
import type { AgentHealthStore } from './agent-health-store.js';
import { createCircuitBreaker, createMemoryCircuitStore, type CircuitBreaker } from './circuit-breaker.js';
import { createSemaphore, type Semaphore } from './concurrency.js';
import { priceFor } from './cost.js';
import { resolvePolicy, type ResiliencePolicy } from './policy.js';
import { createTokenBucket, type TokenBucket } from './rate-limiter.js';
import { withResilience, type CircuitChange, type RetryNotice } from './with-resilience.js';

export interface ResilienceSettings {
  readonly config: OrchestratorConfig;
  readonly store?: AgentHealthStore;
  readonly onRetry?: (notice: RetryNotice) => void;
  /** A call changed its agent's circuit (the call's context says which task's call it was). */
  readonly onCircuitChange?: (change: CircuitChange) => void;
  /** Epoch-milliseconds clock for the breakers (tests). */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Makes an agent's `max_concurrency` semaphore; default: one in this process. Queue mode gives
   * one held across all workers (fleet/fleet-resilience.ts).
   */
  readonly semaphoreFor?: (agent: string, max: number) => Semaphore;
}

export interface Resilience {
  policy(agent: string): ResiliencePolicy;
  breaker(agent: string): CircuitBreaker;
  /** Wraps one adapter (memoised per agent name). */
  wrapAdapter(adapter: AgentAdapterV1): AgentAdapterV1;
  /** Wraps an agent-name → adapter resolver. */
  wrap<R extends (name: string) => AgentAdapterV1>(resolve: R): (name: string) => AgentAdapterV1;
}

export function createResilience(settings: ResilienceSettings): Resilience {
  const { config } = settings;
  const circuitStore = settings.store ?? createMemoryCircuitStore();
  const breakers = new Map<string, CircuitBreaker>();
  const limiters = new Map<string, TokenBucket>();
  const semaphores = new Map<string, Semaphore>();
  const wrapped = new Map<AgentAdapterV1, AgentAdapterV1>();

  const agentConfig = (name: string) => (Object.hasOwn(config.agents, name) ? config.agents[name] : undefined);
  const policy = (name: string): ResiliencePolicy => resolvePolicy(config.settings.resilience, agentConfig(name));

  const breaker = (name: string): CircuitBreaker => {
    let b = breakers.get(name);
    if (!b) {
      b = createCircuitBreaker({
        agent: name,
        policy: policy(name).breaker,
        store: circuitStore,
        ...(settings.now ? { now: settings.now } : {}),
      });
      breakers.set(name, b);
    }
    return b;
  };

  const wrapAdapter = (adapter: AgentAdapterV1): AgentAdapterV1 => {
    const cached = wrapped.get(adapter);
    if (cached) return cached;
    const name = adapter.name;
    const p = policy(name);
    if (p.ratePerMinute !== undefined && !limiters.has(name)) limiters.set(name, createTokenBucket({ ratePerMinute: p.ratePerMinute }));
    if (p.maxConcurrency !== undefined && !semaphores.has(name)) {
      semaphores.set(name, settings.semaphoreFor ? settings.semaphoreFor(name, p.maxConcurrency) : createSemaphore(p.maxConcurrency));
    }
    const agent = agentConfig(name);
    const price = agent ? priceFor(agent, config.settings.prices) : undefined;
    const limiter = limiters.get(name);
    const semaphore = semaphores.get(name);
    const store = settings.store;
    const result = withResilience(adapter, p, {
      breaker: breaker(name),
      ...(limiter ? { limiter } : {}),
      ...(semaphore ? { semaphore } : {}),
      ...(store ? { recordCall: (call) => store.recordCall(call) } : {}),
      ...(price ? { price } : {}),
      ...(settings.onRetry ? { onRetry: settings.onRetry } : {}),
      ...(settings.onCircuitChange ? { onCircuitChange: settings.onCircuitChange } : {}),
      ...(settings.sleep ? { sleep: settings.sleep } : {}),
    });
    wrapped.set(adapter, result);
    return result;
  };

  return {
    policy,
    breaker,
    wrapAdapter,
    wrap: (resolve) => (name) => wrapAdapter(resolve(name)),
  };
}
