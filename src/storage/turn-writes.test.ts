/**
 * Deferred writes on a real SQLite file, read by a second connection as another process reads it:
 * what two stores write in one turn goes in together at its end, reads of the stores see it at
 * once, and closing the connection writes what still waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as turnEnds } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestratorBus } from '../events/events.js';
import { createAgentHealthStore } from '../resilience/agent-health-store.js';
import { createEventLog } from '../tasks/event-log.js';
import { attachTaskRecorder, createTaskRecorder } from '../tasks/task-recorder.js';
import { createTaskStore } from '../tasks/task-store.js';
import { closeAllDatabases, openDatabase } from './database.js';
import { turnWrites } from './turn-writes.js';

const dirs: string[] = [];
afterEach(() => {
  closeAllDatabases();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-turn-'));
  dirs.push(dir);
  const file = path.join(dir, 'context.db');
  const db = openDatabase(file);
  const tasks = createTaskStore(db);
  const health = createAgentHealthStore(db);
  const bus = createOrchestratorBus();
  attachTaskRecorder(bus, createTaskRecorder(db, tasks, createEventLog(db)), () => undefined);
  const taskId = tasks.create({ task: 't', workflow: 'w', maxIterations: 1, cwd: '/x' }).id;
  const other = new Database(file, { readonly: true });
  const count = (table: string): number => (other.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  /** Changes another connection has seen committed since the last call (SQLite's data_version). */
  let version = other.pragma('data_version', { simple: true }) as number;
  const commitsSeen = (): boolean => {
    const now = other.pragma('data_version', { simple: true }) as number;
    const changed = now !== version;
    version = now;
    return changed;
  };
  return { db, health, bus, taskId, count, commitsSeen, close: () => other.close() };
}

describe('writes deferred to the end of the turn', () => {
  it('puts what two stores write in one turn into the database together, at its end', async () => {
    const { bus, health, taskId, count, commitsSeen, close } = setup();
    commitsSeen();
    bus.publish({ type: 'step.started', taskId, timestamp: new Date().toISOString(), iteration: 1, index: 0, stepCount: 1, agent: 'a', role: 'implement' });
    health.recordCall({ agent: 'a', role: 'implement', taskId, outcome: 'success', durationMs: 5 });
    bus.publish({ type: 'step.started', taskId, timestamp: new Date().toISOString(), iteration: 1, index: 1, stepCount: 1, agent: 'b', role: 'review' });
    expect([count('task_events'), count('agent_calls'), commitsSeen()]).toEqual([0, 0, false]);
    await turnEnds();
    expect([count('task_events'), count('agent_calls'), commitsSeen()]).toEqual([2, 1, true]);
    close();
  });

  it('lets a read of the records see a call recorded in the same turn', () => {
    const { health, count, close } = setup();
    health.recordCall({ agent: 'a', role: 'implement', outcome: 'failure', failureKind: 'auth', durationMs: 5 });
    expect(health.health('a')).toMatchObject({ calls: 1, successes: 0, lastFailureKind: 'auth' });
    expect(count('agent_calls')).toBe(1);
    close();
  });

  it('writes what waits when the connection is closed', () => {
    const { health, count, close } = setup();
    health.recordCall({ agent: 'a', role: 'implement', outcome: 'success', durationMs: 5 });
    closeAllDatabases();
    expect(count('agent_calls')).toBe(1);
    close();
  });

  it('reports a write the database refuses, keeps the others, and runs the rest in order', async () => {
    const { db, close } = setup();
    db.exec('CREATE TABLE seen (n INTEGER NOT NULL)');
    const insert = db.prepare('INSERT INTO seen (n) VALUES (?)');
    const errors: string[] = [];
    const after: number[] = [];
    const turn = turnWrites(db);
    for (const n of [1, null, 3]) {
      turn.defer({ write: () => insert.run(n), after: () => after.push(n ?? 0), onError: (error) => errors.push(String(error)) });
    }
    await turnEnds();
    expect(db.prepare('SELECT n FROM seen ORDER BY rowid').pluck().all()).toEqual([1, 3]);
    expect(after).toEqual([1, 3]);
    expect(errors.join('\n')).toMatch(/NOT NULL/);
    close();
  });
});
