/**
 * When a live-events client (SSE or Socket.IO) counts as too slow and is disconnected. Events are
 * pulled from the task's log only as fast as a client takes them, so a slow client costs a bounded
 * buffer; one that stops reading is dropped and replays from its last seq when it reconnects.
 */
export interface SlowClientLimits {
  /** How long a client's full buffer may stay full before the client is disconnected. */
  readonly drainTimeoutMs: number;
  /** Socket.IO packets queued to one socket before the server waits for it to drain. */
  readonly maxQueuedPackets: number;
}

export const DEFAULT_SLOW_CLIENT_LIMITS: SlowClientLimits = { drainTimeoutMs: 10_000, maxQueuedPackets: 500 };

export function slowClientLimits(overrides: Partial<SlowClientLimits> = {}): SlowClientLimits {
  return { ...DEFAULT_SLOW_CLIENT_LIMITS, ...overrides };
}
