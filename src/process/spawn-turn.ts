/**
 * Process starts take turns: one per turn of the event loop. Starting a process blocks the
 * thread (fork and exec: about 10 ms each on a loaded two-core machine), and when many tasks reach
 * their next agent at the same moment their starts would run back to back in one chain of promise
 * callbacks — fifty of them half a second during which no event reaches a waiting client and no
 * request is read. Taking turns, everything that became ready meanwhile (the promise callbacks
 * that hand stored events to watchers, socket writes, incoming data) runs between two starts.
 */

const waiting: (() => void)[] = [];
let turning = false;
let taken = 0;

/** How many process starts have had their turn in this process (for tests and diagnostics). */
export function spawnTurnsTaken(): number {
  return taken;
}

/** Resolves when the caller may start its process; callers are served first come, first served. */
export function spawnTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!turning) {
      turning = true;
      setImmediate(nextTurn);
    }
  });
}

function nextTurn(): void {
  const next = waiting.shift();
  if (next) {
    taken += 1;
    next();
  }
  // The next start waits for the next loop turn: this one's promise callbacks, and the loop's I/O,
  // come first.
  if (waiting.length > 0) setImmediate(nextTurn);
  else turning = false;
}
