/**
 * Agent call records shared by every process on one Redis, so success rates (what the planner
 * routes on), `agents --json` and `/metrics` on any machine count the whole fleet's calls.
 *
 * Each process records its calls in its own health database as before and also appends them to
 * one capped Redis stream (the last `historyLength` calls of the fleet). Each health database —
 * named by its `origin`, stable across restarts — reads that stream through a consumer group of
 * its own and inserts the records of other origins, so its tables hold the fleet's calls: a new
 * machine starts with the retained history, a restarted one resumes where it stopped (Redis
 * keeps the group's position), and two processes sharing one database share one group and never
 * insert a record twice. Read without acknowledgement: a process killed between reading and
 * inserting loses those few records, which a success rate over the last 100 calls survives.
 */
import { parseJsonObject } from '../../shared/value-checks.js';
import type { Redis } from 'ioredis';
import { FAILURE_KINDS, type FailureKind } from '../../adapters/spec.js';
import type { AgentCallRecord } from '../agent-health-store.js';

export interface FleetCallsSettings {
  readonly redis: Redis;
  /** A connection of its own: the blocking read holds it. */
  readonly reader: Redis;
  readonly prefix: string;
  /** Names this health database; records of this origin are not imported again. */
  readonly origin: string;
  readonly historyLength: number;
  /** Where other origins' records go (the local health store). */
  readonly importCall: (call: AgentCallRecord) => void;
  readonly onError?: (message: string) => void;
}

export interface FleetCalls {
  forward(call: AgentCallRecord): void;
  /** Starts importing (returns once the group exists). */
  start(): Promise<void>;
  close(): Promise<void>;
}

const BLOCK_MS = 2_000;
const BATCH = 200;

export function createFleetCalls(settings: FleetCallsSettings): FleetCalls {
  const { redis, reader, origin } = settings;
  const stream = `${settings.prefix}:calls`;
  let closed = false;
  let loop: Promise<void> | undefined;

  const report = (error: unknown): void => {
    if (!closed) settings.onError?.(`fleet call records: ${error instanceof Error ? error.message : String(error)}`);
  };

  const ensureGroup = async (): Promise<void> => {
    try {
      // From the start of the retained history: a new machine learns the fleet's recent calls.
      await reader.xgroup('CREATE', stream, origin, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  };

  const importBatch = (reply: unknown): void => {
    if (!Array.isArray(reply)) return;
    for (const [, entries] of reply as [string, [string, string[]][]][]) {
      for (const [, fields] of entries) {
        const record = fieldsOf(fields);
        if (record['origin'] === origin) continue;
        const call = parseCall(record['call']);
        if (call) settings.importCall(call);
      }
    }
  };

  const run = async (): Promise<void> => {
    while (!closed) {
      try {
        const reply = await reader.xreadgroup('GROUP', origin, origin, 'COUNT', BATCH, 'BLOCK', BLOCK_MS, 'NOACK', 'STREAMS', stream, '>');
        importBatch(reply);
      } catch (error) {
        if (closed) return;
        // A Redis that lost its data lost the group too: make it again and go on.
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          await ensureGroup().catch(report);
          continue;
        }
        report(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };

  return {
    forward(call) {
      const json = JSON.stringify({ ...call, startedAt: (call.startedAt ?? new Date()).toISOString() });
      redis.xadd(stream, 'MAXLEN', '~', settings.historyLength, '*', 'origin', origin, 'call', json).catch(report);
    },
    async start() {
      await ensureGroup();
      loop = run();
    },
    async close() {
      closed = true;
      // Ends the blocking read; the loop sees `closed` and stops.
      reader.disconnect();
      await loop;
    },
  };
}

function fieldsOf(fields: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (!Array.isArray(fields)) return record;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name: unknown = fields[i];
    const value: unknown = fields[i + 1];
    if (typeof name === 'string' && typeof value === 'string') record[name] = value;
  }
  return record;
}

const OUTCOMES = ['success', 'failure', 'skipped'] as const;

/** A record another process (maybe another version) wrote: checked field by field, unknown = dropped. */
function parseCall(json: string | undefined): AgentCallRecord | undefined {
  const r = json === undefined ? undefined : parseJsonObject(json);
  if (!r) return undefined;
  const { agent, role, outcome, durationMs } = r;
  if (typeof agent !== 'string' || typeof role !== 'string' || typeof durationMs !== 'number') return undefined;
  if (!(OUTCOMES as readonly unknown[]).includes(outcome)) return undefined;
  const failureKind = (FAILURE_KINDS as readonly unknown[]).includes(r['failureKind']) ? (r['failureKind'] as FailureKind) : undefined;
  const number = (name: string): number | undefined => (typeof r[name] === 'number' ? r[name] : undefined);
  const startedAt = typeof r['startedAt'] === 'string' ? new Date(r['startedAt']) : undefined;
  const fields = {
    taskId: typeof r['taskId'] === 'string' ? r['taskId'] : undefined,
    failureKind,
    attempt: number('attempt'),
    inputTokens: number('inputTokens'),
    outputTokens: number('outputTokens'),
    costUsd: number('costUsd'),
    startedAt: startedAt && !Number.isNaN(startedAt.getTime()) ? startedAt : undefined,
  };
  return {
    agent,
    role,
    outcome: outcome as AgentCallRecord['outcome'],
    durationMs,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
}
