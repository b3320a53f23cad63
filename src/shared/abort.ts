/**
 * One timeout mechanism: a step's time limit is an AbortSignal (`AbortSignal.timeout`, combined
 * with the user's cancel by `AbortSignal.any`), so whoever stops on the signal learns why from its
 * reason — a TimeoutError means the time ran out, anything else that someone cancelled.
 */

/** Node's timers (and so AbortSignal.timeout) fire at once for a delay above this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why an aborted signal was aborted. */
export function abortKind(signal: AbortSignal): 'timeout' | 'cancelled' {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'TimeoutError' ? 'timeout' : 'cancelled';
}

/**
 * The timeout signal behind each combined one. Node 20's `AbortSignal.any` holds its sources
 * weakly: a timeout signal nothing else refers to is collected at the next GC and never fires, so
 * a hung agent would never time out. Kept here as long as the combined signal lives.
 */
const timeoutOf = new WeakMap<AbortSignal, AbortSignal>();

/** A signal that aborts with a TimeoutError after `timeoutMs`, also when `signal` aborts first. */
export function withTimeout(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  return timeoutMs === undefined ? signal : timeoutSignal(signal, timeoutMs);
}

/** The same for a time limit that is always set. */
export function timeoutSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(Math.min(Math.max(Math.round(timeoutMs), 0), MAX_TIMER_MS));
  if (!signal) return timeout;
  const combined = AbortSignal.any([signal, timeout]);
  timeoutOf.set(combined, timeout);
  return combined;
}
