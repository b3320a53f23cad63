/**
 * Watching a task's event log: replay from `since`, then live, as one ordered stream without gap
 * or duplicate — because both come from the same sequenced log: the watcher reads every event
 * after the last seq it yielded, then waits for a wake-up and reads again.
 *
 * Wake-ups: in the process that runs the task, the recorder wakes watchers the moment an event
 * is stored. From another process, an inotify watch (fs.watch) on the database's directory fires
 * when SQLite writes the WAL, so a watcher there sees an event within milliseconds; a poll every
 * `pollMs` covers file systems without inotify. The stream ends after the task's final event, or
 * when the task is found ended with nothing more to read (e.g. marked interrupted).
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
  /** In-process wake-ups: subscribe(taskId, wake) → unsubscribe. */
  readonly subscribe: (taskId: string, wake: () => void) => () => void;
  readonly pollMs?: number;
}

const BATCH = 1_000;

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
  const unsubscribe = sources.subscribe(taskId, wake);
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
