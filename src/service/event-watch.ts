/**
 * Watching a task's event log: replay from `since`, then live, as one ordered stream without gap
 * or duplicate — because both come from the same sequenced log: the watcher reads every event
 * after the last seq it yielded, then waits for a wake-up and reads again.
 *
 * Wake-ups: in the process that runs the task, the recorder hands each event to the watchers the
 * moment it is stored; one that continues exactly at the watcher's last seq is yielded as it is,
 * without reading the log again (a gap, or more than a bounded number waiting, and the log is read
 * instead — a consumer that does not keep up is never buffered for). From another process, an
 * inotify watch (fs.watch) on the database's directory fires when SQLite writes the WAL, so a
 * watcher there sees an event within milliseconds (ignored while the task runs here, where the
 * hand-overs say it all); a poll every `pollMs` covers file systems without inotify. The stream
 * ends after the task's final event, or when the task is found ended with nothing more to read
 * (e.g. marked interrupted).
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
   * In-process hand-overs: subscribe(taskId, onStored) → unsubscribe; `onStored` gets each event
   * of the task as it was stored — the same value a read of the log returns for it.
   */
  readonly subscribe: (taskId: string, onStored: (stored: StoredEvent) => void) => () => void;
  /**
   * Whether this process runs the task now: then every event of it is stored here and handed
   * over by `subscribe`, and the database's file events — which every other task's writes fire
   * too — are ignored for it (with 50 tasks and 100 watchers, those wake-ups and their reads were
   * most of the server's work).
   */
  readonly runsHere?: (taskId: string) => boolean;
  readonly pollMs?: number;
}

const BATCH = 1_000;
/** Handed-over events kept for a watcher whose consumer is busy; past this, it reads the log. */
const MAX_HANDED_OVER = 256;

export async function* watchTask(sources: WatchSources, taskId: string, options: WatchOptions = {}): AsyncGenerator<StoredEvent> {
  const { log, store } = sources;
  let last = options.since ?? 0;
  const signal = options.signal;
  let wakeUp: (() => void) | undefined;
  // Set by any wake-up between a read and the wait, so that wait is skipped.
  let woken: boolean | undefined;
  // Whether the log may hold events not handed over: at the start, after a file event or a
  // poll, and when hand-overs were dropped.
  let mustRead = true;
  const handedOver: StoredEvent[] = [];
  const wake = (): void => {
    woken = true;
    wakeUp?.();
  };
  const wakeToRead = (): void => {
    mustRead = true;
    wake();
  };
  const unsubscribe = sources.subscribe(taskId, (stored) => {
    if (handedOver.length < MAX_HANDED_OVER) handedOver.push(stored);
    else {
      handedOver.length = 0;
      mustRead = true;
    }
    wake();
  });
  // A task run here hands a late watcher its first events again (the fan-out keeps them): when
  // they continue at `since`, nothing need be read back from the log — in a fresh `run` that read
  // would cost the schemas' first-use compilation.
  if (sources.runsHere?.(taskId) && handedOver[0]?.seq === last + 1) mustRead = false;
  let fileWatch: FSWatcher | undefined;
  try {
    const base = path.basename(sources.databaseFile);
    fileWatch = watch(path.dirname(sources.databaseFile), { persistent: false }, (_kind, name) => {
      if (sources.runsHere?.(taskId)) return;
      if (name === null || String(name).startsWith(base)) wakeToRead();
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
      for (let next = handedOver.shift(); next !== undefined && !mustRead; next = handedOver.shift()) {
        if (next.seq <= last) continue;
        if (next.seq !== last + 1) {
          mustRead = true;
          break;
        }
        last = next.seq;
        yield next;
        if (isFinalEvent(next.event) && options.follow !== 'forever') return;
        if (signal?.aborted) return;
      }
      if (mustRead) {
        mustRead = false;
        handedOver.length = 0;
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
      }
      if (!woken) {
        const polled = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), sources.pollMs ?? 250);
          wakeUp = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wakeUp = undefined;
        // A task run here has every event handed over: a poll has nothing to find in the log.
        if (polled && !sources.runsHere?.(taskId)) mustRead = true;
      }
    }
  } finally {
    unsubscribe();
    fileWatch?.close();
    signal?.removeEventListener('abort', wake);
  }
}
