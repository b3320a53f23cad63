/**
 * The signal of one agent call: it aborts when the caller's signal does (with the caller's
 * reason) or when the call's time limit passes (with a TimeoutError, as `AbortSignal.timeout`'s
 * would, so `abortKind` tells the two apart), and `dispose()` releases its timer and its listener
 * once the call is over. Every step makes one: `AbortSignal.timeout` joined by `AbortSignal.any`
 * costs ≈ 30 µs each in Node 20, leaves its timer running to the end of the limit, and gives the
 * garbage collector weak references to clean up.
 */
import { MAX_TIMER_MS } from '../shared/abort.js';

export interface CallSignal {
  readonly signal: AbortSignal;
  /** Aborts the call now (a `cancelled` reason unless one is given). */
  abort(reason?: unknown): void;
  dispose(): void;
}

export function callSignal(parent: AbortSignal | undefined, timeoutMs?: number): CallSignal {
  const controller = new AbortController();
  const follow = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) follow();
  else parent?.addEventListener('abort', follow, { once: true });
  const timer =
    timeoutMs === undefined || controller.signal.aborted
      ? undefined
      : setTimeout(
          () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
          Math.min(Math.max(Math.round(timeoutMs), 0), MAX_TIMER_MS),
        );
  timer?.unref();
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose() {
      if (timer) clearTimeout(timer);
      parent?.removeEventListener('abort', follow);
    },
  };
}
