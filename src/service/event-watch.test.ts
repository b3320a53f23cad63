/**
 * Watching a task on a real SQLite file with the real recorder: what a watcher of a task run in
 * this process reads from the log (counted by a wrapper around the real log), and that every
 * event still arrives once, in order, when hand-overs have a gap or pile up.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestratorBus, type OrchestratorEvent, type StoredEvent } from '../events/events.js';
import { closeAllDatabases, openDatabase } from '../storage/database.js';
import { createEventLog, type EventLog } from '../tasks/event-log.js';
import { attachTaskRecorder, createTaskRecorder } from '../tasks/task-recorder.js';
import { createTaskStore } from '../tasks/task-store.js';
import { watchTask, type WatchSources } from './event-watch.js';

afterEach(() => closeAllDatabases());

function output(taskId: string, text: string): OrchestratorEvent {
  return { type: 'step.output', taskId, timestamp: new Date().toISOString(), iteration: 1, index: 0, agent: 'a', event: { type: 'text-delta', text } };
}

function setup() {
  const databaseFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-watch-')), 'tasks.db');
  const db = openDatabase(databaseFile);
  const store = createTaskStore(db);
  const log = createEventLog(db);
  const reads = new Map<string, number>();
  const counted: EventLog = {
    ...log,
    read: (taskId, options) => {
      reads.set(taskId, (reads.get(taskId) ?? 0) + 1);
      return log.read(taskId, options);
    },
  };
  const listeners = new Map<string, Set<(stored: StoredEvent) => void>>();
  const bus = createOrchestratorBus();
  attachTaskRecorder(bus, createTaskRecorder(db, store, log), (stored) => {
    for (const listener of listeners.get(stored.event.taskId) ?? []) listener(stored);
  });
  const subscribe: WatchSources['subscribe'] = (taskId, listener) => {
    const set = listeners.get(taskId) ?? new Set();
    listeners.set(taskId, set);
    set.add(listener);
    return () => set.delete(listener);
  };
  const newTask = (): string => store.create({ task: 't', workflow: 'w', maxIterations: 1, cwd: '/x' }).id;
  return { databaseFile, store, log, counted, reads, bus, subscribe, newTask };
}

/** The seq of the stream's next event (-1 when it ended). */
async function nextSeq(stream: AsyncGenerator<StoredEvent>): Promise<number> {
  const next = await stream.next();
  return next.done === true ? -1 : next.value.seq;
}

/** Takes events from the stream until `until` holds for the last one. */
async function take(stream: AsyncGenerator<StoredEvent>, until: (taken: StoredEvent[]) => boolean): Promise<StoredEvent[]> {
  const taken: StoredEvent[] = [];
  for await (const stored of stream) {
    taken.push(stored);
    if (until(taken)) break;
  }
  return taken;
}

describe('watching a task', () => {
  it('yields the events of a task run here as they are handed over, without reading the log again on them, on polls or on the writes of other tasks', async () => {
    const { databaseFile, counted, reads, bus, subscribe, newTask } = setup();
    const here = newTask();
    const elsewhere = newTask();
    const controller = new AbortController();
    const watchHere = watchTask({ log: counted, store: createTaskStore(openDatabase(databaseFile)), databaseFile, subscribe, runsHere: (id) => id === here, pollMs: 10 }, here, { signal: controller.signal });
    // A watcher of a task run by "another process": nothing is handed over, the file events wake it.
    const watchElsewhere = watchTask({ log: counted, store: createTaskStore(openDatabase(databaseFile)), databaseFile, subscribe: () => () => undefined, runsHere: () => false, pollMs: 600_000 }, elsewhere, { signal: controller.signal });
    bus.publish(output(here, 'first'));
    const gotHere = take(watchHere, (taken) => taken.length === 3);
    const gotElsewhere = take(watchElsewhere, (taken) => taken.length === 20);
    for (let i = 0; i < 20; i++) bus.publish(output(elsewhere, `other ${i}`));
    bus.publish(output(here, 'second'));
    // Once the other watcher has seen the file events of all twenty writes, so could this one.
    expect((await gotElsewhere).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_: unknown, i: number) => i + 1));
    // Polls come and go meanwhile: for a task run here they have nothing to read.
    await new Promise((resolve) => setTimeout(resolve, 100));
    bus.publish(output(here, 'third'));
    const events = await gotHere;
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[1]?.event).toMatchObject({ type: 'step.output', event: { text: 'second' } });
    // One read: the replay at the start. The rest was handed over; other tasks' writes and the
    // polls read nothing.
    expect(reads.get(here)).toBe(1);
    expect(reads.get(elsewhere)).toBeGreaterThan(1);
    controller.abort();
  });

  it('reads the log when a handed-over event does not follow the last one: every event once, in order', async () => {
    const { databaseFile, store, log, counted, reads, newTask } = setup();
    const taskId = newTask();
    let handOver: ((stored: StoredEvent) => void) | undefined;
    const subscribe: WatchSources['subscribe'] = (_id, listener) => {
      handOver = listener;
      return () => undefined;
    };
    const stream = watchTask({ log: counted, store, databaseFile, subscribe, runsHere: () => true, pollMs: 600_000 }, taskId);
    log.append(output(taskId, 'one'));
    expect(await nextSeq(stream)).toBe(1);
    const second = log.append(output(taskId, 'two'));
    const third = log.append(output(taskId, 'three'));
    // The hand-over of seq 2 was missed: seq 3 arrives alone.
    if (third) handOver?.(third);
    expect(second?.seq).toBe(2);
    const rest = [await nextSeq(stream), await nextSeq(stream)];
    expect(rest).toEqual([2, 3]);
    expect(reads.get(taskId)).toBe(2);
    await stream.return(undefined);
  });

  it('keeps a bounded number of handed-over events for a consumer that does not read: the rest comes from the log, every event once', async () => {
    const { databaseFile, store, counted, reads, bus, subscribe, newTask } = setup();
    const taskId = newTask();
    const stream = watchTask({ log: counted, store, databaseFile, subscribe, runsHere: () => true, pollMs: 600_000 }, taskId);
    bus.publish(output(taskId, 'start'));
    expect(await nextSeq(stream)).toBe(1);
    for (let i = 0; i < 600; i++) bus.publish(output(taskId, `line ${i}`));
    const seqs: number[] = [];
    for (let i = 0; i < 600; i++) seqs.push(await nextSeq(stream));
    expect(seqs).toEqual(Array.from({ length: 600 }, (_: unknown, i: number) => i + 2));
    // The replay at the start, and one read once the hand-overs had passed the bound.
    expect(reads.get(taskId)).toBe(2);
    await stream.return(undefined);
  });
});
