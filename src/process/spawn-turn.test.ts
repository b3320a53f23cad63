import { describe, expect, it } from 'vitest';
import { spawnTurn } from './spawn-turn.js';

describe('process starts taking turns', () => {
  it('lets the promise callbacks one start set off run before the next start, and serves starts in order', async () => {
    const order: string[] = [];
    await Promise.all(
      [0, 1, 2].map(async (i) => {
        await spawnTurn();
        order.push(`start ${i}`);
        // What a start sets off (an event stored, handed to a watcher, written to its client).
        void Promise.resolve()
          .then(() => Promise.resolve())
          .then(() => order.push(`after ${i}`));
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['start 0', 'after 0', 'start 1', 'after 1', 'start 2', 'after 2']);
  });

  it('lets a start that nobody waits before go at once, without waiting for a turn of the loop', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('next turn'));
    await spawnTurn();
    order.push('start');
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['start', 'next turn']);
  });

  it('lets the timers (and I/O) that became due during a start run before the next start', async () => {
    const order: string[] = [];
    const first = spawnTurn().then(() => {
      order.push('start 0');
      setTimeout(() => order.push('timer'), 0);
      // Block past the timer's due time, as a process start does.
      const until = Date.now() + 5;
      while (Date.now() < until) {
        // spinning: the start's synchronous work
      }
    });
    const second = spawnTurn().then(() => order.push('start 1'));
    const third = spawnTurn().then(() => order.push('start 2'));
    await Promise.all([first, second, third]);
    expect(order).toEqual(['start 0', 'timer', 'start 1', 'start 2']);
  });
});
