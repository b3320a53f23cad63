import { describe, expect, it } from 'vitest';
import { iterationRecordSchema, refusalSchema, stepRecordSchema } from '../events/events.js';
import { OrchestratorError } from '../shared/errors.js';
import { openDatabase } from '../storage/database.js';
import { readIterationRecord, readProposedChange, readRefusal } from './task-rows.js';
import { createTaskStore } from './task-store.js';

const iteration = {
  iteration: 2,
  reviews: [{ index: 1, agent: 'rev', suggestions: 3 }],
  suggestionCount: 3,
  filesChanged: ['a.ts'],
  usage: { inputTokens: 10, outputTokens: 4, costUsd: 0.5 },
  allSucceeded: true,
  durationMs: 1200,
  stop: { reason: 'converged', detail: 'no more suggestions' },
};

/** Valid and invalid shapes: the hand-written reader must agree with the schema on each. */
const ITERATIONS: unknown[] = [
  iteration,
  { ...iteration, stop: undefined },
  { ...iteration, usage: { inputTokens: 0, outputTokens: 0 } },
  { ...iteration, extra: 'dropped', usage: { ...iteration.usage, extra: 1 }, reviews: [{ index: 0, agent: 'r', suggestions: 0, extra: true }] },
  { ...iteration, iteration: 0 },
  { ...iteration, iteration: 1.5 },
  { ...iteration, suggestionCount: -1 },
  { ...iteration, reviews: [{ index: 0, agent: 'r', suggestions: -2 }] },
  { ...iteration, reviews: [{ index: 0.5, agent: 'r', suggestions: 1 }] },
  { ...iteration, reviews: 'none' },
  { ...iteration, filesChanged: [1] },
  { ...iteration, usage: { inputTokens: -1, outputTokens: 0 } },
  { ...iteration, usage: { inputTokens: 1, outputTokens: 0, costUsd: -0.1 } },
  { ...iteration, allSucceeded: 'yes' },
  { ...iteration, durationMs: -5 },
  { ...iteration, stop: { reason: 'bored', detail: 'x' } },
  { ...iteration, stop: { reason: 'budget' } },
  { ...iteration, usage: undefined },
  [iteration],
  null,
  'text',
];

const REFUSALS: unknown[] = [
  { tool: 'Write', target: '/x', reason: 'not granted' },
  { tool: 'Bash', reason: 'denied', extra: 1 },
  { tool: 'Bash', target: 3, reason: 'denied' },
  { tool: 'Bash' },
  [],
  null,
];

const PROPOSALS: unknown[] = [
  { path: 'a.ts', content: 'x', applied: false },
  { path: 'a.ts', content: 'x', applied: true, note: 'outside the cwd', extra: 1 },
  { path: 'a.ts', content: 'x', applied: 'no' },
  { path: 'a.ts', content: 'x', applied: true, note: 3 },
  { content: 'x', applied: true },
  null,
];

function schemaReading<T>(schema: { safeParse(value: unknown): { success: boolean; data?: T } }, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

describe('reading stored task rows without zod', () => {
  it('reads convergence records exactly as the event schema does: same verdict, same fields, unknown keys dropped', () => {
    for (const value of ITERATIONS) {
      expect(readIterationRecord(value), JSON.stringify(value)).toEqual(schemaReading(iterationRecordSchema, value));
    }
    expect(ITERATIONS.filter((value) => readIterationRecord(value) !== undefined)).toHaveLength(4);
  });

  it('reads refused tool calls exactly as the event schema does', () => {
    for (const value of REFUSALS) expect(readRefusal(value), JSON.stringify(value)).toEqual(schemaReading(refusalSchema, value));
    expect(readRefusal(REFUSALS[1])).toEqual({ tool: 'Bash', reason: 'denied' });
  });

  it('reads proposed changes exactly as the step record schema does', () => {
    const proposal = stepRecordSchema.shape.proposedChanges.unwrap().element;
    for (const value of PROPOSALS) expect(readProposedChange(value), JSON.stringify(value)).toEqual(schemaReading(proposal, value));
  });

  it('names the column when a stored task row does not fit, and reads a convergence column that does not fit as empty', () => {
    const db = openDatabase(':memory:');
    const store = createTaskStore(db);
    const task = store.create({ task: 'build it', workflow: 'default', maxIterations: 3, cwd: '/w' });
    db.prepare("UPDATE tasks SET convergence = '[{\"iteration\": 0}]' WHERE id = ?").run(task.id);
    expect(store.get(task.id)?.convergence).toEqual([]);
    db.prepare("UPDATE tasks SET convergence = ? WHERE id = ?").run(JSON.stringify([iteration]), task.id);
    expect(store.get(task.id)?.convergence).toEqual([iteration]);

    db.prepare("UPDATE tasks SET status = 'paused' WHERE id = ?").run(task.id);
    let error: unknown;
    try {
      store.get(task.id);
    } catch (caught) {
      error = caught;
    }
    expect(OrchestratorError.isInstance(error) && error.code).toBe('DATABASE_ERROR');
    expect((error as Error).message).toBe(`tasks row ${task.id}: column status holds "paused", not a task status`);
  });
});
