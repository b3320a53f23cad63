/**
 * The recorder on a bus, on a real SQLite file read by a second connection (as another process
 * reads it): events are stored at the end of the turn they were published in, all together, and
 * handed on only once stored, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as turnEnds } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestratorBus, type OrchestratorEvent, type StoredEvent } from '../events/events.js';
import { closeAllDatabases, openDatabase } from '../storage/database.js';
import { createEventLog } from './event-log.js';
import { settledFirst } from '../storage/turn-writes.js';
import { attachTaskRecorder, createTaskRecorder } from './task-recorder.js';
import { createTaskStore } from './task-store.js';

const dirs: string[] = [];
afterEach(() => {
  closeAllDatabases();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function output(taskId: string, text: string): OrchestratorEvent {
  return { type: 'step.output', taskId, timestamp: new Date().toISOString(), iteration: 1, index: 0, agent: 'a', event: { type: 'text-delta', text } };
}

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-recorder-'));
  dirs.push(dir);
  const file = path.join(dir, 'tasks.db');
  const db = openDatabase(file);
  const store = createTaskStore(db);
  const log = createEventLog(db);
  const bus = createOrchestratorBus();
  const handed: StoredEvent[] = [];
  const errors: unknown[] = [];
  const reactions: ((stored: StoredEvent) => void)[] = [];
  const recorder = attachTaskRecorder(
    bus,
    createTaskRecorder(db, store, log),
    (stored) => {
      handed.push(stored);
      for (const react of reactions) react(stored);
    },
    { onError: (error) => errors.push(error) },
  );
  const taskId = store.create({ task: 't', workflow: 'w', maxIterations: 1, cwd: '/x' }).id;
  const other = new Database(file, { readonly: true });
  const seenElsewhere = (): number => (other.prepare('SELECT COUNT(*) AS n FROM task_events WHERE task_id = ?').get(taskId) as { n: number }).n;
  return { db, store, log, bus, handed, errors, reactions, recorder, taskId, seenElsewhere, close: () => other.close() };
}

const texts = (events: readonly StoredEvent[]): string[] =>
  events.map((stored) => (stored.event.type === 'step.output' && stored.event.event.type === 'text-delta' ? stored.event.event.text : stored.event.type));

describe('the recorder on the bus', () => {
  it('stores the events of one turn together at its end, and hands them on only then, in order', async () => {
    const { bus, handed, taskId, seenElsewhere, close } = setup();
    for (const text of ['a', 'b', 'c']) bus.publish(output(taskId, text));
    expect(seenElsewhere()).toBe(0);
    expect(handed).toEqual([]);
    await turnEnds();
    expect(seenElsewhere()).toBe(3);
    expect(handed.map((stored) => stored.seq)).toEqual([1, 2, 3]);
    expect(texts(handed)).toEqual(['a', 'b', 'c']);
    close();
  });

  it('lets reads through settledFirst see every event published before them', () => {
    const { bus, log, recorder, handed, taskId, seenElsewhere, close } = setup();
    const reader = settledFirst(log, () => recorder.settle());
    bus.publish(output(taskId, 'a'));
    bus.publish(output(taskId, 'b'));
    expect(texts(reader.read(taskId))).toEqual(['a', 'b']);
    expect(reader.lastSeq(taskId)).toBe(2);
    expect(seenElsewhere()).toBe(2);
    expect(handed.map((stored) => stored.seq)).toEqual([1, 2]);
    close();
  });

  it('stores an event published inside an open transaction at once, with the caller\'s writes', () => {
    const { db, bus, log, store, taskId, close } = setup();
    bus.publish(output(taskId, 'before'));
    const seqInside = db.transaction(() => {
      bus.publish(output(taskId, 'inside'));
      return log.lastSeq(taskId);
    })();
    expect(seqInside).toBe(2);
    expect(texts(log.read(taskId))).toEqual(['before', 'inside']);
    // A rolled-back caller takes its event with it.
    expect(() =>
      db.transaction(() => {
        bus.publish(output(taskId, 'rolled back'));
        throw new Error('the caller fails');
      })(),
    ).toThrow('the caller fails');
    expect(texts(log.read(taskId))).toEqual(['before', 'inside']);
    expect(store.get(taskId)).toBeDefined();
    close();
  });

  it('keeps the order when a listener publishes and reads while it is handed an event', async () => {
    const { bus, log, recorder, reactions, handed, taskId, close } = setup();
    const reader = settledFirst(log, () => recorder.settle());
    const readThen: number[] = [];
    reactions.push((stored) => {
      if (stored.seq !== 1) return;
      bus.publish(output(taskId, 'reaction'));
      readThen.push(reader.lastSeq(taskId));
    });
    for (const text of ['a', 'b', 'c']) bus.publish(output(taskId, text));
    await turnEnds();
    expect(readThen).toEqual([4]);
    expect(handed.map((stored) => stored.seq)).toEqual([1, 2, 3, 4]);
    expect(texts(log.read(taskId))).toEqual(['a', 'b', 'c', 'reaction']);
    close();
  });

  it('stores the rest of a turn when the database refuses one of its events, and says so', async () => {
    const { bus, handed, errors, taskId, seenElsewhere, close } = setup();
    bus.publish(output(taskId, 'a'));
    bus.publish(output('no-such-task', 'refused: no task row'));
    bus.publish(output(taskId, 'c'));
    await turnEnds();
    expect(seenElsewhere()).toBe(2);
    expect(texts(handed)).toEqual(['a', 'c']);
    expect(errors.map(String).join('\n')).toMatch(/FOREIGN KEY/);
    close();
  });

  it('stores what waits when it is detached, and nothing published after', () => {
    const { bus, recorder, taskId, seenElsewhere, close } = setup();
    bus.publish(output(taskId, 'a'));
    recorder.detach();
    expect(seenElsewhere()).toBe(1);
    bus.publish(output(taskId, 'b'));
    recorder.settle();
    expect(seenElsewhere()).toBe(1);
    close();
  });
});
