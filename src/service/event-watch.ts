/**
 * Watching a task's event log: replay from `since`, then live, as one ordered stream without gap
 * or duplicate — because both come from the same sequenced log: the watcher reads every event
 * after the last seq it yielded, then waits for a wake-up and reads again.
 *
 * Wake-ups: in the process that runs the task, the recorder hands each event to the watchers the
 * moment it is stored, and they yield it as handed (no read back, no schema check: this process
 * wrote it) as long as it is the next seq; any gap — a watcher that started late, a queue that
 * grew too long — is read from the log, checked. From another process, an inotify watch
 * (fs.watch) on the database's directory fires when SQLite writes the WAL, so a watcher there
 * sees an event within milliseconds; a poll every `pollMs` covers file systems without inotify.
 * The stream ends after the task's final event, or when the task is found ended with nothing more
 * to read (e.g. marked interrupted).
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { isFinalEvent, type StoredEvent } from '../events/events.js';
import type { EventLog } from '../tasks/event-log.js';
import { isFinal } from '../tasks/task-state.js';
import type { TaskStore } from '../tasks/task-store.js';

export interface WatchOptions {
  /** Yield events after this seq (0 or absent: from the start). */
  readonly since?: number;
  readonly signal?: AbortSignal;
  /** Stop at the task's end (default) or keep following (a resumed run appends more). */
  readonly follow?: 'until-end' | 'forever';
}

export interface WatchSources {
  readonly log: EventLog;
  readonly store: TaskStore;
  /** The database file, whose directory is watched for writes of other processes. */
  readonly databaseFile: string;
  /**
   * Events of the task as this process stores them: subscribe(taskId, listener) → unsubscribe.
   * The listener may first get events stored before it subscribed (in seq order).
   */
  readonly subscribe: (taskId: string, listener: (stored: StoredEvent) => void) => () => void;
  readonly pollMs?: number;
}

const BATCH = 1_000;
/** Events handed in-process and not yet yielded, at most; beyond that they are read from the log. */
const MAX_HANDED = 10_000;

export async function* watchTask(sources: WatchSources, taskId: string, options: WatchOptions = {}): AsyncGenerator<StoredEvent> {
  const { log, store } = sources;
  let last = options.since ?? 0;
  const signal = options.signal;
  let wakeUp: (() => void) | undefined;
  // Set by any wake-up between a read and the wait, so that wait is skipped.
  let woken: boolean | undefined;
  const wake = (): void => {
    woken = true;
    wakeUp?.();
  };
  // Stored by this process and handed over, in seq order, not yet yielded.
  let handed: StoredEvent[] = [];
  const unsubscribe = sources.subscribe(taskId, (stored) => {
    if (stored.seq > last) handed.push(stored);
    if (handed.length > MAX_HANDED) handed = [];
    wake();
  });
  let fileWatch: FSWatcher | undefined;
  try {
    const base = path.basename(sources.databaseFile);
    fileWatch = watch(path.dirname(sources.databaseFile), { persistent: false }, (_kind, name) => {
      if (name === null || String(name).startsWith(base)) wake();
    });
    fileWatch.on('error', () => undefined);
  } catch {
    fileWatch = undefined; // no inotify: the poll alone
  }
  signal?.addEventListener('abort', wake, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) return;
      woken = false;
      while (handed[0] && handed[0].seq <= last) handed.shift();
      const next = handed[0]?.seq === last + 1 ? handed.shift() : undefined;
      if (next) {
        last = next.seq;
        yield next;
        if (isFinalEvent(next.event) && options.follow !== 'forever') return;
        continue;
      }
      let batch = log.read(taskId, { since: last, limit: BATCH });
      while (batch.length > 0) {
        for (const stored of batch) {
          last = stored.seq;
          yield stored;
          if (isFinalEvent(stored.event) && options.follow !== 'forever') return;
          if (signal?.aborted) return;
        }
        batch = batch.length === BATCH ? log.read(taskId, { since: last, limit: BATCH }) : [];
      }
      const task = store.get(taskId);
      if (!task) return;
      if (isFinal(task.status) && options.follow !== 'forever' && log.lastSeq(taskId) <= last) return;
      if (!woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, sources.pollMs ?? 250);
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeUp = undefined;
      }
    }
  } finally {
    unsubscribe();
    fileWatch?.close();
    signal?.removeEventListener('abort', wake);
  }
}
