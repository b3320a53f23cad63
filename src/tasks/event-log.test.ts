import { describe, expect, it, vi } from 'vitest';
import type { OrchestratorEvent } from '../events/events.js';
import { createRedactor } from '../security/redact.js';
import { openDatabase } from '../storage/database.js';
import { createEventLog } from './event-log.js';
import { createTaskStore } from './task-store.js';

const at = '2026-01-01T00:00:00.000Z';

function output(taskId: string, text: string, index = 0): OrchestratorEvent {
  return { type: 'step.output', taskId, timestamp: at, iteration: 1, index, agent: 'a', event: { type: 'text-delta', text } };
}

function setup(options: Parameters<typeof createEventLog>[1] = {}) {
  const db = openDatabase(':memory:');
  const store = createTaskStore(db);
  const log = createEventLog(db, options);
  const task = store.create({ task: 't', workflow: 'w', maxIterations: 1, cwd: '/x' });
  return { db, store, log, taskId: task.id };
}

describe('the task event log', () => {
  it('numbers each task\'s events 1, 2, 3 … and replays them after any seq', () => {
    const { store, log, taskId } = setup();
    const other = store.create({ task: 'u', workflow: 'w', maxIterations: 1, cwd: '/y' }).id;
    const seqs = ['a', 'b', 'c'].map((text) => log.append(output(taskId, text))?.seq);
    expect(log.append(output(other, 'x'))?.seq).toBe(1);
    expect(seqs).toEqual([1, 2, 3]);
    expect(log.read(taskId, { since: 1 }).map((e) => e.seq)).toEqual([2, 3]);
    expect(log.read(taskId, { since: 1, limit: 1 }).map((e) => e.seq)).toEqual([2]);
    expect(log.lastSeq(taskId)).toBe(3);
  });

  it('stores events redacted', () => {
    const { log, taskId } = setup({ redact: createRedactor(['sk-secret-value-123']) });
    log.append(output(taskId, 'the key is sk-secret-value-123'));
    expect(JSON.stringify(log.read(taskId))).not.toContain('sk-secret-value-123');
  });

  it('cuts long fields with a marker and stops logging a step\'s text past its budget, with one notice', () => {
    const { log, taskId } = setup({ maxFieldChars: 100, maxStepOutputChars: 2000 });
    const big = log.append(output(taskId, 'x'.repeat(1000)));
    expect(big?.event.type === 'step.output' && big.event.event.type === 'text-delta' ? big.event.event.text : '').toMatch(/\[… 900 characters cut\]/);
    for (let i = 0; i < 30; i++) log.append(output(taskId, 'y'.repeat(60)));
    const texts = log.read(taskId).map((e) => (e.event.type === 'step.output' && 'text' in e.event.event ? e.event.event.text : ''));
    expect(texts.filter((t) => t.includes('left out of the event log'))).toHaveLength(1);
    expect(texts.length).toBeLessThan(31);
    // Another step has its own budget.
    expect(log.append(output(taskId, 'z', 1))).toBeDefined();
  });

  it('hands back each event exactly as a replay reads it: redacted, without undefined fields, extra fields kept', () => {
    const { log, taskId } = setup({ redact: createRedactor(['sk-secret-value-123']) });
    const event = { ...output(taskId, 'the key is sk-secret-value-123'), note: 'from a newer version', gone: undefined } as unknown as OrchestratorEvent;
    const stored = log.append(event);
    expect(stored?.event).not.toBe(event);
    expect(JSON.stringify(stored)).not.toContain('sk-secret-value-123');
    expect(stored?.event).toHaveProperty('note', 'from a newer version');
    expect(Object.keys(stored?.event ?? {})).not.toContain('gone');
    expect(log.read(taskId)).toStrictEqual([stored]);
  });

  it('reads the stored copy it hands back from the stored text only when asked for, and once', () => {
    const { log, taskId } = setup();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const stored = log.append(output(taskId, 'a'));
      expect(parse).not.toHaveBeenCalled();
      expect(stored?.event).toEqual(output(taskId, 'a'));
      expect(stored?.event).toBe(stored?.event);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it('skips on replay a stored event this version cannot read', () => {
    const { db, log, taskId } = setup();
    log.append(output(taskId, 'a'));
    db.prepare('INSERT INTO task_events (task_id, seq, type, at, payload) VALUES (?, 2, ?, ?, ?)').run(taskId, 'step.future', at, JSON.stringify({ type: 'step.future', taskId, timestamp: at }));
    log.append(output(taskId, 'b'));
    expect(log.read(taskId).map((e) => e.seq)).toEqual([1, 3]);
  });

  it('goes with its task when the task is cleaned', () => {
    const { store, log, taskId, db } = setup();
    log.append(output(taskId, 'a'));
    store.finish(taskId, { status: 'cancelled', success: false, stopReason: 'cancelled', reason: 'x', iterations: 0, finalOutput: '', usage: { inputTokens: 0, outputTokens: 0 } });
    expect(store.clean(new Date(Date.now() + 60_000))).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM task_events').get()).toEqual({ n: 0 });
  });
});
