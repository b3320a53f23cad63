/**
 * Retry decisions for one agent call: whether a failure is worth another attempt, and how long
 * to wait first — exponential backoff with jitter, or the provider's own retry-after when it
 * sent one (capped by the policy's max delay, so a bogus header cannot stall a task for hours).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AgentError } from '../adapters/spec.js';
import { isRetryableKind, type ResiliencePolicy } from './policy.js';

export type RetryPolicy = ResiliencePolicy['retry'];

/** Whether the call that just failed with `error` on attempt `attempt` (1-based) gets another. */
export function shouldRetry(error: AgentError, attempt: number, policy: RetryPolicy): boolean {
  return attempt < policy.maxAttempts && isRetryableKind(error.kind);
}

/**
 * Milliseconds to wait before attempt `attempt + 1`. With a retry-after: exactly that (capped).
 * Otherwise "equal jitter": half of `min(max, base·2^(attempt-1))` fixed plus up to half random,
 * so parallel callers spread out but every wait still backs off.
 */
export function retryDelayMs(
  error: AgentError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  if (error.retryAfterSeconds !== undefined && error.retryAfterSeconds >= 0) {
    return Math.min(Math.round(error.retryAfterSeconds * 1000), policy.maxDelayMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, ending early (with the abort reason) when the signal aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await delay(ms, undefined, signal ? { signal } : {});
}
