/**
 * An agent's `max_concurrency` across every process on one Redis: the same `Semaphore` shape as
 * the in-process one (concurrency.ts), backed by redis-semaphore's counting semaphore (a sorted
 * set of holders, changed only by its Lua scripts).
 *
 * A slot is a lease: its holder refreshes it every third of `leaseMs` while the call runs, and a
 * holder that stops refreshing (its process was killed) loses the slot `leaseMs` after its last
 * refresh, so a crashed worker's slots come back by themselves. Waiters poll every `pollMs`; the
 * order between processes is whoever polls first after a release (fair enough for agent calls
 * that last minutes). Lease times are compared across machines: their clocks must agree to well
 * within `leaseMs`.
 */
import type { Redis } from 'ioredis';
import { Semaphore as RedisSemaphore } from 'redis-semaphore';
import type { Semaphore } from '../concurrency.js';

export interface FleetSemaphoreSettings {
  readonly redis: Redis;
  /** The Redis key (redis-semaphore puts `semaphore:` before it). */
  readonly key: string;
  readonly max: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  /**
   * A held slot was found expired at a refresh: Redis was away, or this process stalled, for
   * longer than the lease. The call goes on (killing an agent mid-work because Redis blinked
   * costs more than one call over the limit for a while); the slot is not taken back.
   */
  readonly onLost?: (message: string) => void;
}

export function createFleetSemaphore(settings: FleetSemaphoreSettings): Semaphore & { releaseAll(): Promise<void> } {
  const { redis, key, max, leaseMs, pollMs } = settings;
  const held = new Set<RedisSemaphore>();
  let waiting = 0;

  const newLock = (): RedisSemaphore =>
    new RedisSemaphore(redis, key, max, {
      lockTimeout: leaseMs,
      // Waits as long as the in-process semaphore does: until a slot is free or the signal aborts.
      acquireTimeout: Number.POSITIVE_INFINITY,
      retryInterval: pollMs,
      refreshInterval: Math.max(1, Math.floor(leaseMs / 3)),
      onLockLost: () => {
        settings.onLost?.(`lost a fleet-wide slot of ${key} (Redis was away or this process stalled longer than the ${leaseMs / 1000} s lease); the call goes on`);
      },
    });

  const releaseLock = (lock: RedisSemaphore): Promise<void> => {
    held.delete(lock);
    // A release that cannot reach Redis leaves the slot to expire with its lease.
    return lock.release().catch(() => undefined);
  };

  return {
    async acquire(signal) {
      signal?.throwIfAborted();
      const lock = newLock();
      waiting += 1;
      const acquired = lock.acquire(signal);
      try {
        // The race answers an abort at once even while a Redis command waits for a reconnect.
        await raceAbort(acquired, signal);
      } catch (error) {
        // A slot taken in the same instant as the abort is given back as soon as it is known.
        acquired.then(() => void lock.release().catch(() => undefined), () => undefined);
        throw error;
      } finally {
        waiting -= 1;
      }
      if (signal?.aborted) {
        await releaseLock(lock);
        signal.throwIfAborted();
      }
      held.add(lock);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        void releaseLock(lock);
      };
    },
    active: () => held.size,
    waiting: () => waiting,
    async releaseAll() {
      await Promise.all([...held].map(releaseLock));
    },
  };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
