/**
 * Work that holds the thread for a while, taken in turns: one piece per turn of the event loop,
 * first come, first served. When many pieces become ready at the same moment (fifty agents to
 * start), running them back to back in one chain of promise callbacks would hold back everything
 * that became ready meanwhile — the callbacks that hand a stored event to its watchers, socket
 * writes, incoming data. Taking turns, those run between two pieces.
 */
export interface Turns {
  /** Resolves when the caller's turn has come. */
  take(): Promise<void>;
}

export function createTurns(): Turns {
  const waiting: (() => void)[] = [];
  let turning = false;

  function nextTurn(): void {
    const next = waiting.shift();
    if (!next) {
      turning = false;
      return;
    }
    next();
    // The next piece waits for the next loop turn: this one's promise callbacks, and the loop's
    // I/O, come first.
    setImmediate(nextTurn);
  }

  return {
    take() {
      if (!turning) {
        // Nobody is waiting: this piece goes now, and whoever comes next waits a whole turn of the
        // loop (the coming check phase may be before this turn's timers, so the one after it).
        turning = true;
        setImmediate(() => setImmediate(nextTurn));
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}
