import { describe, expect, it } from 'vitest';
import { createSemaphore } from './concurrency.js';

describe('semaphore', () => {
  it('lets at most max holders run and hands slots over in order', async () => {
    const semaphore = createSemaphore(2);
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const order: string[] = [];
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = semaphore.acquire().then((release) => {
      order.push('d');
      return release;
    });
    expect(semaphore.active()).toBe(2);
    expect(semaphore.waiting()).toBe(2);
    a();
    a(); // releasing twice frees one slot only
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(semaphore.waiting()).toBe(1);
    b();
    (await d)();
    releaseC();
    expect(semaphore.active()).toBe(0);
  });

  it('an aborted waiter leaves the queue', async () => {
    const semaphore = createSemaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(semaphore.waiting()).toBe(0);
    release();
    expect(semaphore.active()).toBe(0);
  });
});
