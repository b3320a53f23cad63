import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestratorBus, type OrchestratorEvent, type StoredEvent } from '../events/events.js';
import { databasePath, openDatabase } from '../storage/database.js';
import { createEventLog, type EventLog } from '../tasks/event-log.js';
import { attachTaskRecorder, createTaskRecorder } from '../tasks/task-recorder.js';
import { createTaskStore } from '../tasks/task-store.js';
import { watchTask } from './event-watch.js';
import { createStoredEventFanout } from './stored-event-fanout.js';

const at = '2026-01-01T00:00:00.000Z';

function output(taskId: string, text: string): OrchestratorEvent {
  return { type: 'step.output', taskId, timestamp: at, iteration: 1, index: 0, agent: 'a', event: { type: 'text-delta', text } };
}

function finished(taskId: string): OrchestratorEvent {
  return {
    type: 'task.finished', taskId, timestamp: at, status: 'completed', success: true, stopReason: 'converged', reason: 'done',
    iterations: 1, finalOutput: 'ok', durationMs: 1, usage: { inputTokens: 0, outputTokens: 0 },
  };
}

/** A task of this process: its events go through the recorder into the log and out to watchers. */
function setup() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'aio-watch-'));
  const databaseFile = databasePath(home);
  const db = openDatabase(databaseFile);
  const store = createTaskStore(db);
  const log = createEventLog(db);
  // Counts the events the watcher had to read back from the log.
  let readBack = 0;
  const countingLog: EventLog = {
    ...log,
    read(taskId, options) {
      const events = log.read(taskId, options);
      readBack += events.length;
      return events;
    },
  };
  const bus = createOrchestratorBus();
  const fanout = createStoredEventFanout();
  attachTaskRecorder(bus, createTaskRecorder(db, store, log), (stored) => fanout.deliver(stored));
  const taskId = store.create({ task: 't', workflow: 'w', maxIterations: 1, cwd: '/x' }).id;
  store.claimWorkingTree(taskId);
  store.start(taskId);
  const watch = () => watchTask({ log: countingLog, store, databaseFile, subscribe: (id, listener) => fanout.subscribe(id, listener, { earliest: true }) }, taskId);
  return { bus, log, taskId, watch, readBack: () => readBack };
}

async function collect(events: AsyncGenerator<StoredEvent>): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const stored of events) all.push(stored);
  return all;
}

describe('watching a task of this process', () => {
  it('yields its events as they are stored, from the first one, without reading them back from the log', async () => {
    const { bus, log, taskId, watch, readBack } = setup();
    bus.publish(output(taskId, 'stored before the watcher started'));
    const watched = collect(watch());
    for (const text of ['a', 'b', 'c']) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      bus.publish(output(taskId, text));
    }
    bus.publish(finished(taskId));
    const events = await watched;
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events).toEqual(log.read(taskId));
    expect(readBack()).toBe(0);
  });

  it('reads from the log what it was not handed: a watcher joining after the earliest events kept', async () => {
    const { bus, log, taskId, watch, readBack } = setup();
    for (let i = 0; i < 100; i++) bus.publish(output(taskId, `line ${i}`));
    const watched = collect(watch());
    await new Promise((resolve) => setTimeout(resolve, 5));
    bus.publish(output(taskId, 'live'));
    bus.publish(finished(taskId));
    const events = await watched;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 102 }, (_, i) => i + 1));
    expect(events).toEqual(log.read(taskId));
    expect(readBack()).toBeGreaterThan(0);
  });
});
