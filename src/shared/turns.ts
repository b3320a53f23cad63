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
    waiting.shift()?.();
    // The next piece waits for the next loop turn: this one's promise callbacks, and the loop's
    // I/O, come first.
    if (waiting.length > 0) setImmediate(nextTurn);
    else turning = false;
  }

  return {
    take() {
      return new Promise((resolve) => {
        waiting.push(resolve);
        if (!turning) {
          turning = true;
          setImmediate(nextTurn);
        }
      });
    },
  };
}
