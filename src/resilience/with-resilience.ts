/**
 * Resilience as adapter middleware: `withResilience(adapter, policy, deps)` returns an
 * `AgentAdapterV1` that, around every call of the wrapped adapter,
 *  1. asks the agent's circuit breaker — an open circuit yields a `circuit_open` failure at once,
 *     without spawning anything (and records a skipped call);
 *  2. waits for a concurrency slot and a rate-limit token;
 *  3. runs the call and prices it (tokens × price, added as a usage event before `finish`, when
 *     the CLI reported tokens but no cost);
 *  4. records the call (agent, role, outcome, failure kind, duration, tokens, cost) and tells the
 *     breaker how it ended;
 *  5. retries transient failures (policy.ts) with backoff or the provider's retry-after — but
 *     only while the failed attempt produced no content (text, tool calls, file changes): a call
 *     that already streamed output or touched files is never repeated behind the consumer's back.
 * Adapters stay ignorant of all this; the engine sees one ordinary adapter.
 */
import { errorFromAbort } from '../adapters/failure.js';
import type { AgentAdapterV1, AgentError, AgentEvent, AgentRequest, AgentRunOptions, CallContext, Usage } from '../adapters/spec.js';
import { errorMessage } from '../shared/errors.js';
import type { AgentCallRecord } from './agent-health-store.js';
import type { CircuitBreaker, CircuitSnapshot, CircuitState } from './circuit-breaker.js';
import type { Semaphore } from './concurrency.js';
import { withCost, type Price } from './cost.js';
import type { ResiliencePolicy } from './policy.js';
import type { TokenBucket } from './rate-limiter.js';
import { retryDelayMs, shouldRetry, sleep } from './retry.js';

export interface RetryNotice {
  readonly agent: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
  readonly error: AgentError;
  /** The call's task and step, when the caller gave them. */
  readonly context?: CallContext;
}

/** A circuit that changed state because of a call (opened by its failure, closed by its success). */
export interface CircuitChange {
  readonly agent: string;
  readonly from: CircuitState;
  readonly to: CircuitSnapshot;
  readonly context?: CallContext;
}

export interface ResilienceDeps {
  /** The agent's breaker (its state may live in the database); none = no breaker. */
  readonly breaker?: CircuitBreaker;
  readonly limiter?: TokenBucket;
  readonly semaphore?: Semaphore;
  /** Where calls are recorded (the agent health store). */
  readonly recordCall?: (call: AgentCallRecord) => void;
  /** Price used when the CLI reports tokens but no cost. */
  readonly price?: Price;
  readonly onRetry?: (notice: RetryNotice) => void;
  readonly onCircuitChange?: (change: CircuitChange) => void;
  /** Injected in tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

const CONTENT_EVENTS: ReadonlySet<AgentEvent['type']> = new Set(['text-delta', 'text', 'tool-call', 'tool-result', 'file-change']);

export function withResilience(adapter: AgentAdapterV1, policy: ResiliencePolicy, deps: ResilienceDeps = {}): AgentAdapterV1 {
  const wait = deps.sleep ?? sleep;

  async function* doRun(request: AgentRequest, options: AgentRunOptions = {}): AsyncGenerator<AgentEvent> {
    const signal = options.signal;
    const callStarted = performance.now();
    const context = options.context;
    const record = (fields: Omit<AgentCallRecord, 'agent' | 'role' | 'taskId'>): void => {
      deps.recordCall?.({ agent: adapter.name, role: request.role, ...(context ? { taskId: context.taskId } : {}), ...fields });
    };
    let release: (() => void) | undefined;
    try {
      if (deps.semaphore) release = await deps.semaphore.acquire(signal);
      for (let attempt = 1; ; attempt += 1) {
        const admission = deps.breaker?.admit() ?? { allowed: true as const, trial: false };
        if (!admission.allowed) {
          const error = circuitOpenError(adapter.name, admission);
          record({ outcome: 'skipped', failureKind: 'circuit_open', attempt, durationMs: 0 });
          yield { type: 'error', error };
          yield { type: 'finish', success: false, error };
          return;
        }
        if (deps.limiter) await deps.limiter.take(signal);

        const started = performance.now();
        const startedAt = new Date();
        const buffered: AgentEvent[] = [];
        let committed = false;
        let usage: Usage = { inputTokens: 0, outputTokens: 0 };
        let finish: Extract<AgentEvent, { type: 'finish' }> | undefined;
        let lastError: AgentError | undefined;

        try {
          for await (const raw of adapter.doRun(request, options)) {
            const event = raw;
            if (event.type === 'usage') usage = addUsage(usage, event.usage);
            if (event.type === 'error') lastError = event.error;
            if (event.type === 'finish') {
              // Held back: a priced cost, if any, must arrive before it.
              finish = event;
              continue;
            }
            if (committed) {
              yield event;
            } else if (CONTENT_EVENTS.has(event.type)) {
              committed = true;
              yield* buffered.splice(0);
              yield event;
            } else {
              buffered.push(event);
            }
          }
        } catch (thrown) {
          // Adapters report failures as events; a throw is a bug, still kept as a failed call.
          if (signal?.aborted) lastError = errorFromAbort(signal, performance.now() - started);
          else lastError = { kind: 'bad_output', message: `adapter error: ${errorMessage(thrown)}` };
          const event: AgentEvent = { type: 'error', error: lastError };
          if (committed) yield event;
          else buffered.push(event);
          finish = undefined;
        }

        const priced = withCost(usage, deps.price);
        if (priced.costUsd !== undefined && usage.costUsd === undefined) {
          const event: AgentEvent = { type: 'usage', usage: { inputTokens: 0, outputTokens: 0, costUsd: priced.costUsd } };
          if (committed) yield event;
          else buffered.push(event);
          usage = priced;
        }
        const success = finish !== undefined && finish.success && !finish.error;
        const error: AgentError | undefined = success
          ? undefined
          : (finish?.error ?? lastError ?? { kind: 'bad_output', message: 'the agent ended without a result' });
        record({
          outcome: success ? 'success' : 'failure',
          ...(error ? { failureKind: error.kind } : {}),
          attempt,
          durationMs: performance.now() - started,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          ...(usage.costUsd === undefined ? {} : { costUsd: usage.costUsd }),
          startedAt,
        });
        let breakerOpen = false;
        if (deps.breaker) {
          const before = deps.breaker.snapshot().state;
          // The state it leaves the circuit in (a store read less than asking again).
          const after = deps.breaker.record(error ? { success: false, kind: error.kind } : { success: true });
          if (after.state !== before) deps.onCircuitChange?.({ agent: adapter.name, from: before, to: after, ...(context ? { context } : {}) });
          breakerOpen = after.state === 'open';
        }

        if (error && !committed && !breakerOpen && !signal?.aborted && shouldRetry(error, attempt, policy.retry)) {
          const delayMs = retryDelayMs(error, attempt, policy.retry, deps.random);
          // The failed attempt's usage still counts (it may have been paid for).
          for (const event of buffered) if (event.type === 'usage') yield event;
          deps.onRetry?.({ agent: adapter.name, attempt, maxAttempts: policy.retry.maxAttempts, delayMs, error, ...(context ? { context } : {}) });
          await wait(delayMs, signal);
          continue;
        }
        yield* buffered;
        yield finish ?? { type: 'finish', success: false, ...(error ? { error } : {}) };
        return;
      }
    } catch (thrown) {
      // Only waits (slot, token, backoff) get here: they end when the signal aborts.
      if (!signal?.aborted) throw thrown;
      // The run's time limit (a TimeoutError reason) or the user's cancel.
      const error = errorFromAbort(signal, performance.now() - callStarted);
      yield { type: 'error', error };
      yield { type: 'finish', success: false, error };
    } finally {
      release?.();
    }
  }

  return {
    specificationVersion: 'agent-v1',
    name: adapter.name,
    kind: adapter.kind,
    transport: adapter.transport,
    local: adapter.local,
    doRun,
    checkAvailable: (options) => adapter.checkAvailable(options),
  };
}

function circuitOpenError(
  agent: string,
  admission: { readonly state: 'open' | 'half_open'; readonly openUntil?: number; readonly consecutiveFailures: number },
): AgentError {
  if (admission.state === 'half_open') {
    return { kind: 'circuit_open', message: `${agent} skipped: its circuit is half-open and a trial call is already running` };
  }
  const until = admission.openUntil === undefined ? '' : `; next trial after ${new Date(admission.openUntil).toISOString()}`;
  return {
    kind: 'circuit_open',
    message: `${agent} skipped: circuit open after ${admission.consecutiveFailures} consecutive failures${until}`,
  };
}

function addUsage(a: Usage, b: Usage): Usage {
  const cost = a.costUsd === undefined && b.costUsd === undefined ? undefined : (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(cost === undefined ? {} : { costUsd: cost }),
  };
}
