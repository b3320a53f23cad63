/**
 * Process starts take turns: one per turn of the event loop (shared/turns.ts). Starting a process
 * blocks the thread until the child has exec'd (about 10 ms each on a loaded two-core machine),
 * and when many tasks reach their next agent at the same moment their starts would run back to
 * back — fifty of them half a second during which no event reaches a waiting client.
 */
import { createTurns } from '../shared/turns.js';

const starts = createTurns();

/** Resolves when the caller may start its process; callers are served first come, first served. */
export function spawnTurn(): Promise<void> {
  return starts.take();
}

