/**
 * A task's durable event log: every event the task publishes, redacted and capped, stored in
 * the one SQLite database with a per-task sequence number (1, 2, 3, …) as it is published. Any
 * process can replay a task from any point (`read(taskId, { since })`), which is what watching
 * from another terminal, the web UI's reconnects and MCP's `events` tool stand on.
 *
 * Bounded: a string field longer than `maxFieldChars` is cut in the middle with a
 * `[… N characters cut]` marker, and once a step has logged `maxStepOutputChars` of agent text,
 * its further text is left out of the log (one notice says so) — the step record keeps its
 * output. So an agent printing hundreds of megabytes cannot grow the log without bound.
 */
import { orchestratorEventSchema, type OrchestratorEvent, type StoredEvent } from '../events/events.js';
import type { Redactor } from '../security/redact.js';
import type { Db } from '../storage/database.js';

export interface EventLogOptions {
  readonly redact?: Redactor;
  /** Longest string kept in one stored event (characters). */
  readonly maxFieldChars?: number;
  /** Agent text (step.output text and deltas) logged per step before the rest is left out. */
  readonly maxStepOutputChars?: number;
}

export interface EventLog {
  /** Stores the event with the task's next sequence number; returns it as stored (redacted, capped). */
  append(event: OrchestratorEvent): StoredEvent | undefined;
  /** Events of the task after `since` (exclusive), in order; at most `limit`. */
  read(taskId: string, options?: { readonly since?: number; readonly limit?: number }): StoredEvent[];
  /** The last sequence number of the task (0 when it has no events). */
  lastSeq(taskId: string): number;
}

export const DEFAULT_MAX_FIELD_CHARS = 64 * 1024;
export const DEFAULT_MAX_STEP_OUTPUT_CHARS = 2 * 1024 * 1024;

export function createEventLog(db: Db, options: EventLogOptions = {}): EventLog {
  const maxField = options.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS;
  const maxStepOutput = options.maxStepOutputChars ?? DEFAULT_MAX_STEP_OUTPUT_CHARS;
  const redact = options.redact ?? ((text: string) => text);
  const insert = db.prepare<[string, string, string, string, string], { seq: number }>(
    `INSERT INTO task_events (task_id, seq, type, at, payload)
     VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM task_events WHERE task_id = ?), ?, ?, ?) RETURNING seq`,
  );
  const select = db.prepare<[string, number, number], { seq: number; payload: string }>(
    'SELECT seq, payload FROM task_events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const last = db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM task_events WHERE task_id = ?');
  /** Agent text logged per task step ("task/iteration/index"), for the per-step budget. */
  const stepOutput = new Map<string, number>();

  const budgeted = (event: OrchestratorEvent): OrchestratorEvent | undefined => {
    if (event.type === 'step.finished' || event.type === 'task.finished') {
      for (const key of stepOutput.keys()) if (key.startsWith(`${event.taskId}/`)) stepOutput.delete(key);
      return event;
    }
    if (event.type !== 'step.output') return event;
    const inner = event.event;
    if (inner.type !== 'text' && inner.type !== 'text-delta') return event;
    const key = `${event.taskId}/${event.iteration}/${event.index}`;
    const used = stepOutput.get(key) ?? 0;
    if (used > maxStepOutput) return undefined;
    const next = used + inner.text.length;
    stepOutput.set(key, next);
    if (next <= maxStepOutput) return event;
    stepOutput.set(key, maxStepOutput + 1);
    const notice = `\n[… further output of this step is left out of the event log; the step record keeps the output]\n`;
    return { ...event, event: { type: 'text', text: notice } };
  };

  return {
    append(event) {
      const kept = budgeted(event);
      if (!kept) return undefined;
      const json = JSON.stringify(kept);
      // A string longer than maxField makes the JSON text longer still: a short text holds none.
      const payload = redact(json.length > maxField && hasLongString(kept, maxField) ? JSON.stringify(capCopy(kept, maxField)) : json);
      const row = insert.get(kept.taskId, kept.taskId, kept.type, kept.timestamp, payload);
      if (!row) return undefined;
      // Read back from the stored text, as `read` returns it, so a watcher handed this value sees
      // what a replay shows. Not checked against the schemas: it was built as an event here. And
      // read when first asked for: most events reach no watcher in this process.
      let stored: OrchestratorEvent | undefined;
      return {
        seq: row.seq,
        get event() {
          stored ??= JSON.parse(payload) as OrchestratorEvent;
          return stored;
        },
      };
    },
    read(taskId, readOptions = {}) {
      const rows = select.all(taskId, readOptions.since ?? 0, readOptions.limit ?? 10_000);
      return rows.flatMap((row) => {
        const event = parsePayload(row.payload);
        // An event this version cannot read (written by a newer one) is skipped, not fatal.
        return event ? [{ seq: row.seq, event }] : [];
      });
    },
    lastSeq(taskId) {
      return last.get(taskId)?.seq ?? 0;
    },
  };
}

/**
 * A stored event, when this version can read it: the schemas check it, and it is returned as
 * stored (as `append` hands it to watchers), not as the schemas' copy.
 */
function parsePayload(payload: string): OrchestratorEvent | undefined {
  const value: unknown = JSON.parse(payload);
  return orchestratorEventSchema.safeParse(value).success ? (value as OrchestratorEvent) : undefined;
}

function hasLongString(value: unknown, max: number): boolean {
  if (typeof value === 'string') return value.length > max;
  if (Array.isArray(value)) return value.some((item: unknown) => hasLongString(item, max));
  if (value !== null && typeof value === 'object') return Object.values(value).some((item: unknown) => hasLongString(item, max));
  return false;
}

function capCopy<T>(value: T, max: number): T {
  if (typeof value === 'string') {
    if (value.length <= max) return value;
    const half = Math.floor(max / 2);
    return `${value.slice(0, half)}\n[… ${value.length - 2 * half} characters cut]\n${value.slice(-half)}` as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => capCopy(item, max)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, capCopy(v as unknown, max)])) as T;
  }
  return value;
}
