/**
 * Writes that wait for the end of the current turn of the event loop and then go in together, in
 * one transaction per connection. A commit costs a tenth of a millisecond or more when the
 * process has been idle (an agent ran meanwhile), and between one agent's exit and the next one's
 * start the engine records several things: written at once, each of those commits stood between
 * the two agents; deferred, they are one commit after the next agent has started.
 *
 * Nothing is lost or reordered: writes run in the order deferred; inside an open transaction a
 * write runs at once, with the caller's; what runs after a write (handing a stored event on)
 * runs only once it is committed, in the same order, also when it defers more writes itself; and
 * `settle` — which the stores call before every read of what is deferred, and which runs before a
 * connection is closed — writes what waits, now.
 */
import type { Db } from './database.js';

export interface DeferredWrite {
  /** Runs inside a transaction (this turn's, or the caller's open one). */
  readonly write: () => void;
  /** After the write is committed (at once, inside the caller's open transaction). */
  readonly after?: () => void;
  /** The database refused the write (the other writes of its turn are kept). */
  readonly onError: (error: unknown) => void;
}

export interface TurnWrites {
  defer(write: DeferredWrite): void;
  /** Writes what waits, now. */
  settle(): void;
}

const writers = new WeakMap<Db, TurnWrites>();

/** The deferred writes of one connection (one set per connection, shared by every store on it). */
export function turnWrites(db: Db): TurnWrites {
  let writer = writers.get(db);
  if (!writer) {
    writer = createTurnWrites(db);
    writers.set(db, writer);
  }
  return writer;
}

/** Writes what waits on the connection, if anything does (before it is closed). */
export function settleTurnWrites(db: Db): void {
  writers.get(db)?.settle();
}

function createTurnWrites(db: Db): TurnWrites {
  let waiting: DeferredWrite[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const handOn = orderedRunner();

  const settle = (): void => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    if (!db.open) {
      for (const deferred of batch) deferred.onError(new Error('the database was closed before this could be stored'));
      return;
    }
    let written: readonly DeferredWrite[] = batch;
    try {
      db.transaction(() => {
        for (const deferred of batch) deferred.write();
      })();
    } catch {
      // One write the database refuses must not take the others of its turn with it.
      written = batch.filter((deferred) => {
        try {
          db.transaction(deferred.write)();
          return true;
        } catch (error) {
          deferred.onError(error);
          return false;
        }
      });
    }
    handOn(written);
  };

  return {
    defer(deferred) {
      if (db.inTransaction) {
        settle();
        try {
          db.transaction(deferred.write)();
        } catch (error) {
          deferred.onError(error);
          return;
        }
        handOn([deferred]);
        return;
      }
      waiting.push(deferred);
      scheduled ??= setImmediate(settle);
    },
    settle,
  };
}

/** `target` whose every method first stores the writes still waiting, so what it reads is current. */
export function settledFirst<T extends object>(target: T, settle: () => void): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key);
      if (typeof value !== 'function') return value;
      let method = wrapped.get(key);
      if (!method) {
        const original = value as (...args: unknown[]) => unknown;
        method = (...args: unknown[]): unknown => {
          settle();
          return original.apply(object, args);
        };
        wrapped.set(key, method);
      }
      return method;
    },
  });
}

/**
 * Runs the `after` of written writes in the order given, also when one of them defers and settles
 * more writes while it runs (theirs wait for the ones before them). An `after` that throws
 * reports to its own `onError`; the others still run.
 */
function orderedRunner(): (written: readonly DeferredWrite[]) => void {
  const queue: DeferredWrite[] = [];
  let running = false;
  return (written) => {
    queue.push(...written);
    if (running) return;
    running = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          next.after?.();
        } catch (error) {
          next.onError(error);
        }
      }
    } finally {
      running = false;
    }
  };
}
