/**
 * What the coordinator remembers of a task it handed to the queue, in the one database beside the
 * task row (ids namespaced "queue/…"): which fleet and Redis, which job, where the code is, how far
 * its event stream has been stored (so any process can go on storing it, none twice), and where
 * the result went — the repository's branch, or a bundle file under the home.
 */
import { z } from 'zod';
import { migrate, type Db, type Migration } from '../storage/database.js';

export const QUEUE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'queue/001-create',
    up: `
      CREATE TABLE queue_tasks (
        task_id TEXT PRIMARY KEY,
        fleet TEXT NOT NULL,
        url TEXT NOT NULL,
        bull_queue TEXT NOT NULL,
        job_id TEXT NOT NULL,
        dispatches INTEGER NOT NULL DEFAULT 1,
        repo TEXT NOT NULL,
        base TEXT,
        subdir TEXT NOT NULL,
        agents TEXT NOT NULL,
        stored_seq INTEGER NOT NULL DEFAULT 0,
        result_delivery TEXT,
        result_repo TEXT,
        result_branch TEXT,
        result_base TEXT,
        result_commit TEXT,
        result_bundle TEXT,
        created_at TEXT NOT NULL
      );
    `,
  },
];

export interface QueuedTaskRecord {
  readonly taskId: string;
  /** settings.queue.name of the fleet it went to. */
  readonly fleet: string;
  /** The Redis URL without its password (the password comes from the configuration). */
  readonly url: string;
  readonly bullQueue: string;
  readonly jobId: string;
  /** 1, then one more per resume. */
  readonly dispatches: number;
  readonly repo: string;
  readonly base?: string;
  readonly subdir: string;
  readonly agents: readonly string[];
  /** The last seq of its stream stored in the task's log. */
  readonly storedSeq: number;
  readonly result?: DeliveredResult;
}

export interface DeliveredResult {
  readonly delivery: 'pushed' | 'bundle' | 'none';
  readonly repo: string;
  readonly branch: string;
  readonly baseCommit: string;
  readonly commit?: string;
  /** The bundle file (delivery `bundle`). */
  readonly bundle?: string;
}

export interface QueueStore {
  add(record: Omit<QueuedTaskRecord, 'storedSeq' | 'dispatches' | 'result'> & { readonly storedSeq: number }): void;
  get(taskId: string): QueuedTaskRecord | undefined;
  /** A new job for the task (a resume). */
  redispatch(taskId: string, jobId: string, storedSeq: number): QueuedTaskRecord | undefined;
  /** Moves the stored seq forward (never back); false when it was at or past `seq` already. */
  advance(taskId: string, seq: number): boolean;
  setResult(taskId: string, result: DeliveredResult): void;
  /** Tasks handed to the queue that have not ended (by the task row's status). */
  unfinished(): string[];
}

const row = z.object({
  task_id: z.string(),
  fleet: z.string(),
  url: z.string(),
  bull_queue: z.string(),
  job_id: z.string(),
  dispatches: z.number(),
  repo: z.string(),
  base: z.string().nullable(),
  subdir: z.string(),
  agents: z.string(),
  stored_seq: z.number(),
  result_delivery: z.enum(['pushed', 'bundle', 'none']).nullable(),
  result_repo: z.string().nullable(),
  result_branch: z.string().nullable(),
  result_base: z.string().nullable(),
  result_commit: z.string().nullable(),
  result_bundle: z.string().nullable(),
});

function toRecord(raw: unknown): QueuedTaskRecord {
  const r = row.parse(raw);
  const agents = z.array(z.string()).safeParse(JSON.parse(r.agents));
  return {
    taskId: r.task_id,
    fleet: r.fleet,
    url: r.url,
    bullQueue: r.bull_queue,
    jobId: r.job_id,
    dispatches: r.dispatches,
    repo: r.repo,
    ...(r.base ? { base: r.base } : {}),
    subdir: r.subdir,
    agents: agents.success ? agents.data : [],
    storedSeq: r.stored_seq,
    ...(r.result_delivery && r.result_repo && r.result_branch && r.result_base
      ? {
          result: {
            delivery: r.result_delivery,
            repo: r.result_repo,
            branch: r.result_branch,
            baseCommit: r.result_base,
            ...(r.result_commit ? { commit: r.result_commit } : {}),
            ...(r.result_bundle ? { bundle: r.result_bundle } : {}),
          },
        }
      : {}),
  };
}

export function createQueueStore(db: Db): QueueStore {
  migrate(db, QUEUE_MIGRATIONS);
  const get = (taskId: string): QueuedTaskRecord | undefined => {
    const found: unknown = db.prepare('SELECT * FROM queue_tasks WHERE task_id = ?').get(taskId);
    return found ? toRecord(found) : undefined;
  };
  return {
    add(record) {
      db.prepare(
        `INSERT INTO queue_tasks (task_id, fleet, url, bull_queue, job_id, repo, base, subdir, agents, stored_seq, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        record.taskId,
        record.fleet,
        record.url,
        record.bullQueue,
        record.jobId,
        record.repo,
        record.base ?? null,
        record.subdir,
        JSON.stringify(record.agents),
        record.storedSeq,
        new Date().toISOString(),
      );
    },
    get,
    redispatch(taskId, jobId, storedSeq) {
      db.prepare('UPDATE queue_tasks SET job_id = ?, dispatches = dispatches + 1, stored_seq = ? WHERE task_id = ?').run(jobId, storedSeq, taskId);
      return get(taskId);
    },
    advance(taskId, seq) {
      return db.prepare('UPDATE queue_tasks SET stored_seq = ? WHERE task_id = ? AND stored_seq < ?').run(seq, taskId, seq).changes > 0;
    },
    setResult(taskId, result) {
      db.prepare(
        `UPDATE queue_tasks SET result_delivery = ?, result_repo = ?, result_branch = ?, result_base = ?, result_commit = ?, result_bundle = ?
         WHERE task_id = ?`,
      ).run(result.delivery, result.repo, result.branch, result.baseCommit, result.commit ?? null, result.bundle ?? null, taskId);
    },
    unfinished() {
      return db
        .prepare<[], { task_id: string }>(
          `SELECT q.task_id FROM queue_tasks q JOIN tasks t ON t.id = q.task_id WHERE t.status IN ('queued', 'pending', 'in_progress') ORDER BY q.created_at`,
        )
        .all()
        .map((r) => r.task_id);
    },
  };
}
