/**
 * A task's life in Redis while workers run it: its events in one stream (entry id `<seq>-0`,
 * the seq the coordinator's log gives the event), the token of whoever may append now, the cancel
 * flag and channel, the shipped checkpoint and the result bundle.
 *
 * Appends are fenced: a Lua script adds the entry only if the caller still owns the task and the
 * seq is the next one. A worker whose task was taken over (it went silent, then came back) is
 * refused instead of interleaving its events with the new worker's; a command sent twice across
 * a reconnect finds its own entry already there and succeeds once.
 */
import { createHash } from 'node:crypto';
import { orchestratorEventSchema, type OrchestratorEvent, type StoredEvent } from '../events/events.js';
import { errorMessage } from '../shared/errors.js';
import type { QueueKeys } from './queue-keys.js';
import type { RedisClient } from './redis-client.js';

/** The caller no longer owns the task: another worker took it over, or it was ended. */
export class NotOwnerError extends Error {
  override readonly name = 'NotOwnerError';
}

/** Appends ARGV[3..] as seqs ARGV[2], ARGV[2]+1, …; returns how many it added (a resent prefix is skipped). */
const APPEND = `
local owner = redis.call('GET', KEYS[2])
if owner ~= ARGV[1] then return redis.error_reply('AIO_NOT_OWNER held by ' .. tostring(owner)) end
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local last = 0
if top[1] then last = tonumber(string.match(top[1][1], '^(%d+)')) end
local first = tonumber(ARGV[2])
local added = 0
for i = 3, #ARGV do
  local seq = first + i - 3
  if seq <= last then
    local same = redis.call('XRANGE', KEYS[1], seq .. '-0', seq .. '-0')
    if not (same[1] and same[1][2][2] == ARGV[1]) then return redis.error_reply('AIO_NOT_OWNER seq ' .. seq .. ' is taken') end
  else
    if last > 0 and seq ~= last + 1 then return redis.error_reply('AIO_SEQ_GAP after ' .. last) end
    redis.call('XADD', KEYS[1], seq .. '-0', 'w', ARGV[1], 'e', ARGV[i])
    last = seq
    added = added + 1
  end
end
return added
`;
const APPEND_SHA = createHash('sha1').update(APPEND).digest('hex');

export interface ShippedCheckpoint {
  readonly commit: string;
  /** The step it precedes. */
  readonly iteration: number;
  readonly index: number;
  /** A git bundle holding the commit (prerequisite: the task's base commit). */
  readonly bundle: Buffer;
}

export interface TaskStreams {
  readonly keys: QueueKeys;
  /** Makes `token` the task's owner; returns the previous owner. */
  claim(taskId: string, token: string): Promise<string | undefined>;
  /** Appends one event as `seq`, fenced by ownership (NotOwnerError). */
  append(taskId: string, token: string, seq: number, event: OrchestratorEvent): Promise<void>;
  /** Appends events as `firstSeq`, `firstSeq + 1`, … in one command, fenced like `append`. */
  appendMany(taskId: string, token: string, firstSeq: number, events: readonly OrchestratorEvent[]): Promise<void>;
  /** The task's stored events after `afterSeq`, in order. */
  read(taskId: string, afterSeq?: number): Promise<StoredEvent[]>;
  /** The last seq in the task's stream (0: none). */
  lastSeq(taskId: string): Promise<number>;
  /** Replaces the task's stream with these events and makes `token` its owner (the coordinator seeding a dispatch). */
  seed(taskId: string, token: string, events: readonly StoredEvent[]): Promise<void>;
  requestCancel(taskId: string, ttlSeconds: number): Promise<void>;
  cancelRequested(taskId: string): Promise<boolean>;
  putCheckpoint(taskId: string, checkpoint: ShippedCheckpoint): Promise<void>;
  checkpoint(taskId: string): Promise<ShippedCheckpoint | undefined>;
  putResult(taskId: string, bundle: Buffer): Promise<void>;
  result(taskId: string): Promise<Buffer | undefined>;
  /** Lets the task's keys expire (it has ended and its events are stored). */
  expire(taskId: string, seconds: number): Promise<void>;
}

export function createTaskStreams(client: RedisClient, keys: QueueKeys): TaskStreams {
  async function appendMany(taskId: string, token: string, firstSeq: number, events: readonly OrchestratorEvent[]): Promise<void> {
    const args = [keys.events(taskId), keys.owner(taskId), token, String(firstSeq), ...events.map((event) => JSON.stringify(event))];
    try {
      try {
        // By its hash: the script's text goes to Redis once, not with every append.
        await client.evalsha(APPEND_SHA, 2, ...args);
      } catch (error) {
        if (!errorMessage(error).startsWith('NOSCRIPT')) throw error;
        await client.eval(APPEND, 2, ...args);
      }
    } catch (error) {
      const message = errorMessage(error);
      if (message.includes('AIO_NOT_OWNER') || message.includes('AIO_SEQ_GAP')) throw new NotOwnerError(message.replace(/^ERR /, ''));
      throw error;
    }
  }

  return {
    keys,
    async claim(taskId, token) {
      const previous = await client.set(keys.owner(taskId), token, 'GET');
      return previous ?? undefined;
    },
    append: (taskId, token, seq, event) => appendMany(taskId, token, seq, [event]),
    appendMany,
    async read(taskId, afterSeq = 0) {
      const out: StoredEvent[] = [];
      let from = `${afterSeq + 1}-0`;
      for (;;) {
        const page = await client.xrange(keys.events(taskId), from, '+', 'COUNT', 1000);
        for (const [id, fields] of page) {
          const stored = toStoredEvent(id, fields);
          if (stored) out.push(stored);
        }
        const lastId = page.at(-1)?.[0];
        if (page.length < 1000 || !lastId) return out;
        from = `${seqOf(lastId) + 1}-0`;
      }
    },
    async lastSeq(taskId) {
      const top = await client.xrevrange(keys.events(taskId), '+', '-', 'COUNT', 1);
      const id = top[0]?.[0];
      return id ? seqOf(id) : 0;
    },
    async seed(taskId, token, events) {
      const multi = client.multi().del(keys.events(taskId));
      for (const stored of events) multi.xadd(keys.events(taskId), `${stored.seq}-0`, 'w', token, 'e', JSON.stringify(stored.event));
      multi.set(keys.owner(taskId), token);
      const results = (await multi.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    },
    async requestCancel(taskId, ttlSeconds) {
      await client.set(keys.cancel(taskId), '1', 'EX', Math.max(1, Math.round(ttlSeconds)));
      await client.publish(keys.cancelChannel, taskId);
    },
    async cancelRequested(taskId) {
      return (await client.exists(keys.cancel(taskId))) === 1;
    },
    async putCheckpoint(taskId, checkpoint) {
      await client.hset(keys.checkpoint(taskId), {
        commit: checkpoint.commit,
        iteration: String(checkpoint.iteration),
        index: String(checkpoint.index),
        bundle: checkpoint.bundle,
      });
    },
    async checkpoint(taskId) {
      const fields = await client.hgetallBuffer(keys.checkpoint(taskId));
      const commit = fields['commit']?.toString('utf8');
      const bundle = fields['bundle'];
      const iteration = Number(fields['iteration']?.toString('utf8'));
      const index = Number(fields['index']?.toString('utf8'));
      if (!commit || !bundle || !Number.isInteger(iteration) || !Number.isInteger(index)) return undefined;
      return { commit, iteration, index, bundle };
    },
    async putResult(taskId, bundle) {
      await client.set(keys.result(taskId), bundle);
    },
    async result(taskId) {
      return (await client.getBuffer(keys.result(taskId))) ?? undefined;
    },
    async expire(taskId, seconds) {
      const ttl = Math.max(1, Math.round(seconds));
      const multi = client.multi();
      for (const key of [keys.events(taskId), keys.owner(taskId), keys.cancel(taskId), keys.checkpoint(taskId), keys.result(taskId)]) multi.expire(key, ttl);
      await multi.exec();
    },
  };
}

/** New events of one task's stream, and the last seq read (an unreadable entry is passed, not reread). */
export interface StreamBatch {
  readonly events: readonly StoredEvent[];
  readonly through: number;
}

/** Reads new entries of many tasks' streams at once, waiting up to `blockMs` (a connection of its own: it blocks). */
export async function readStreams(
  client: RedisClient,
  keys: QueueKeys,
  cursors: ReadonlyMap<string, number>,
  options: { readonly blockMs: number; readonly count?: number },
): Promise<Map<string, StreamBatch>> {
  const out = new Map<string, StreamBatch>();
  if (cursors.size === 0) return out;
  const ids = [...cursors.keys()];
  const reply = await client.xread(
    'COUNT',
    options.count ?? 500,
    'BLOCK',
    options.blockMs,
    'STREAMS',
    ...ids.map((id) => keys.events(id)),
    ...ids.map((id) => `${cursors.get(id) ?? 0}-0`),
  );
  for (const [key, entries] of reply ?? []) {
    const taskId = ids.find((id) => keys.events(id) === key);
    if (!taskId) continue;
    const lastId = entries.at(-1)?.[0];
    out.set(taskId, { events: entries.flatMap(([id, fields]) => toStoredEvent(id, fields) ?? []), through: lastId ? seqOf(lastId) : (cursors.get(taskId) ?? 0) });
  }
  return out;
}

function seqOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

function toStoredEvent(id: string, fields: readonly string[]): StoredEvent | undefined {
  const at = fields.indexOf('e');
  const text = at >= 0 ? fields[at + 1] : undefined;
  if (text === undefined) return undefined;
  try {
    const parsed = orchestratorEventSchema.safeParse(JSON.parse(text));
    // An event this version cannot read (written by a newer worker) is skipped, as in the log.
    return parsed.success ? { seq: seqOf(id), event: parsed.data } : undefined;
  } catch {
    return undefined;
  }
}
