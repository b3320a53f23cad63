/**
 * The Redis connections of the fleet modules. Every command waits while Redis is away
 * (`maxRetriesPerRequest: null` with the offline queue on) rather than failing after a few
 * reconnect attempts: a lease refresh, a circuit write or a call record that waits through a
 * Redis restart arrives afterwards, which is what a fleet limit needs. RESP2 keeps stream and
 * hash replies in the flat shapes this code reads, whatever the server speaks.
 */
import { Redis } from 'ioredis';
import { OrchestratorError } from '../../shared/errors.js';

export interface FleetConnectionEvents {
  /** Once per outage: Redis stopped answering (the reason, password-free). */
  readonly onDown?: (reason: string) => void;
  /** Redis answers again (also after the first connect). */
  readonly onReady?: () => void;
}

export function openFleetConnection(url: string, name: string, events: FleetConnectionEvents = {}): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    protocol: 2,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    // Reconnect every half second up to 2 s apart, for ever: workers outlive Redis restarts.
    retryStrategy: (attempt) => Math.min(attempt * 500, 2_000),
  });
  // Problems before the first connect are the start-up's to report (waitUntilReady).
  let down = true;
  // Without an 'error' listener ioredis prints every failed reconnect to the console.
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    events.onDown?.(error.message);
  });
  redis.on('ready', () => {
    down = false;
    events.onReady?.();
  });
  return redis;
}

/** The URL without its password, for messages. */
export function displayRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured Redis URL';
  }
}

/** Resolves once the connection answers, or rejects with a one-line reason after `timeoutMs`. */
export async function waitUntilReady(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  let lastError = '';
  const onError = (error: Error): void => {
    lastError = error.message;
  };
  redis.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        const reason = lastError ? `: ${lastError}` : '';
        reject(new OrchestratorError('QUEUE_UNAVAILABLE', `cannot reach Redis at ${displayRedisUrl(url)} within ${timeoutMs / 1000} s${reason} (is it running?)`));
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });
  } finally {
    redis.off('error', onError);
  }
}
