/**
 * A counting semaphore: at most `max` calls of one agent run at once in this process; the rest
 * queue in arrival order. A waiter whose signal aborts leaves the queue without taking a slot.
 */
export interface Semaphore {
  /** Resolves with a release function once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly active: () => number;
  readonly waiting: () => number;
}

export function createSemaphore(max: number): Semaphore {
  let active = 0;
  const queue: { resolve: (release: () => void) => void }[] = [];

  const release = (): void => {
    const next = queue.shift();
    if (next) next.resolve(once(release));
    else active -= 1;
  };

  return {
    acquire(signal) {
      signal?.throwIfAborted();
      if (active < max) {
        active += 1;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve, reject) => {
        const entry = {
          resolve: (r: () => void) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(r);
          },
        };
        const onAbort = (): void => {
          const index = queue.indexOf(entry);
          if (index >= 0) queue.splice(index, 1);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(entry);
      });
    },
    active: () => active,
    waiting: () => queue.length,
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
