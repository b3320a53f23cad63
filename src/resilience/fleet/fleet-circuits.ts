/**
 * Circuit states shared by every process on one Redis. The breaker (circuit-breaker.ts) reads
 * and writes its store synchronously on every call, so each process keeps a mirror in memory:
 * a save changes the mirror at once and is written through to a Redis hash by a Lua script that
 * bumps the agent's version and publishes the new value; every process (the writer too) applies
 * published values newer than the one it holds, and reloads the whole hash whenever its
 * connection comes back (messages sent while it was away are lost). A circuit opened by one
 * worker is thus seen by the others one Redis round trip later.
 *
 * Versions only compare within one generation of the hash: a Redis that lost its data (restarted
 * without persistence) starts a new generation at the next write, and a process that sees a
 * generation other than its own replaces its whole mirror with what Redis holds.
 *
 * Decisions stay per process: two workers may each admit a half-open trial in the instant before
 * either sees the other's (one round trip), which at worst doubles one trial call.
 */
import { parseJsonObject } from '../../shared/value-checks.js';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CIRCUIT_STATES, type CircuitSnapshot, type CircuitStore } from '../circuit-breaker.js';

export interface FleetCircuitsSettings {
  /** For writes and reloads. */
  readonly redis: Redis;
  /** A connection of its own for the subscription (a subscribed connection runs nothing else). */
  readonly subscriber: Redis;
  /** Key prefix, e.g. `aio`. */
  readonly prefix: string;
  /** Told of every value that arrives from Redis (another process's save, or a reload). */
  readonly onRemote?: (agent: string, snapshot: CircuitSnapshot | undefined) => void;
  readonly onError?: (message: string) => void;
}

export interface FleetCircuits extends CircuitStore {
  /** Loads the hash (call once before use; reloads on reconnect happen by themselves). */
  load(): Promise<void>;
  /** Every agent with a circuit in the fleet. */
  all(): { readonly agent: string; readonly snapshot: CircuitSnapshot }[];
  close(): Promise<void>;
}

interface Entry {
  readonly version: number;
  readonly snapshot: CircuitSnapshot;
}

// KEYS: hash, generation key. ARGV: agent, snapshot JSON, channel, a new generation id.
// Stored value: "<version>:<json>"; published: "<generation> <version>:<json>\n<agent>".
const SAVE_SCRIPT = `
local generation = redis.call('GET', KEYS[2])
if not generation then
  generation = ARGV[4]
  redis.call('SET', KEYS[2], generation)
end
local current = redis.call('HGET', KEYS[1], ARGV[1])
local version = 1
if current then version = (tonumber(string.match(current, '^(%d+):')) or 0) + 1 end
local value = version .. ':' .. ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], value)
redis.call('PUBLISH', ARGV[3], generation .. ' ' .. value .. '\\n' .. ARGV[1])
return version
`;

// KEYS: hash, generation key. Returns [generation or false, field, value, field, value, ...].
const LOAD_SCRIPT = `
local all = redis.call('HGETALL', KEYS[1])
table.insert(all, 1, redis.call('GET', KEYS[2]))
return all
`;

export function createFleetCircuits(settings: FleetCircuitsSettings): FleetCircuits {
  const { redis, subscriber, prefix } = settings;
  const hashKey = `${prefix}:circuits`;
  const generationKey = `${prefix}:circuits:generation`;
  const channel = `${prefix}:circuits:changed`;
  let mirror = new Map<string, Entry>();
  let generation: string | undefined;
  let closed = false;

  const report = (error: unknown): void => {
    if (!closed) settings.onError?.(`fleet circuits: ${error instanceof Error ? error.message : String(error)}`);
  };

  const apply = (agent: string, entry: Entry): void => {
    const known = mirror.get(agent);
    if (known && known.version >= entry.version) return;
    mirror.set(agent, entry);
    settings.onRemote?.(agent, entry.snapshot);
  };

  const load = async (): Promise<void> => {
    const reply = await redis.eval(LOAD_SCRIPT, 2, hashKey, generationKey);
    if (!Array.isArray(reply)) throw new Error('unexpected reply to the circuits load');
    const [loadedGeneration, ...pairs] = reply as unknown[];
    const entries = new Map<string, Entry>();
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const agent = pairs[i];
      const entry = parseEntry(pairs[i + 1]);
      if (typeof agent === 'string' && entry) entries.set(agent, entry);
    }
    const current = typeof loadedGeneration === 'string' ? loadedGeneration : undefined;
    if (current !== generation) {
      // Another generation (or the first load): what Redis holds replaces everything known.
      const gone = [...mirror.keys()].filter((agent) => !entries.has(agent));
      mirror = new Map();
      generation = current;
      for (const agent of gone) settings.onRemote?.(agent, undefined);
    }
    for (const [agent, entry] of entries) apply(agent, entry);
  };

  const onMessage = (from: string, message: string): void => {
    if (from !== channel) return;
    const space = message.indexOf(' ');
    const newline = message.indexOf('\n');
    if (space < 0 || newline < space) return;
    const messageGeneration = message.slice(0, space);
    const entry = parseEntry(message.slice(space + 1, newline));
    const agent = message.slice(newline + 1);
    if (!entry) return;
    if (messageGeneration !== generation) {
      void load().catch(report);
      return;
    }
    apply(agent, entry);
  };

  subscriber.on('message', onMessage);
  // After a reconnect, the messages of the outage are gone: the hash tells what they said.
  const onReady = (): void => void load().catch(report);
  // The subscription's own reconnect: ioredis announces 'ready' before it has subscribed again, so
  // a write published in between would reach nobody and a reload done then could miss it. Once
  // our own SUBSCRIBE is answered every later write arrives as a message, and the reload after
  // it sees every earlier one.
  const onSubscriberReady = (): void =>
    void subscriber
      .subscribe(channel)
      .then(load)
      .catch(report);

  return {
    async load() {
      await subscriber.subscribe(channel);
      await load();
      redis.on('ready', onReady);
      subscriber.on('ready', onSubscriberReady);
    },
    loadCircuit: (agent) => mirror.get(agent)?.snapshot,
    saveCircuit(agent, snapshot) {
      // The version stays: the published write, or a newer one from elsewhere, replaces this.
      mirror.set(agent, { version: mirror.get(agent)?.version ?? 0, snapshot });
      redis.eval(SAVE_SCRIPT, 2, hashKey, generationKey, agent, JSON.stringify(snapshot), channel, randomUUID()).catch(report);
    },
    all: () => [...mirror].map(([agent, entry]) => ({ agent, snapshot: entry.snapshot })),
    async close() {
      closed = true;
      redis.off('ready', onReady);
      subscriber.off('ready', onSubscriberReady);
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}

function parseEntry(value: unknown): Entry | undefined {
  if (typeof value !== 'string') return undefined;
  const colon = value.indexOf(':');
  const version = Number(value.slice(0, colon));
  if (colon < 1 || !Number.isInteger(version)) return undefined;
  const snapshot = parseSnapshot(value.slice(colon + 1));
  return snapshot ? { version, snapshot } : undefined;
}

/** A snapshot written by any version of this code, checked field by field (Redis is shared). */
function parseSnapshot(json: string): CircuitSnapshot | undefined {
  const record = parseJsonObject(json);
  if (!record) return undefined;
  const state = record['state'];
  const failures = record['consecutiveFailures'];
  if (typeof state !== 'string' || !(CIRCUIT_STATES as readonly string[]).includes(state)) return undefined;
  if (typeof failures !== 'number') return undefined;
  const time = (name: string): Partial<Record<string, number>> => {
    const field = record[name];
    return typeof field === 'number' ? { [name]: field } : {};
  };
  return {
    state: state as CircuitSnapshot['state'],
    consecutiveFailures: failures,
    ...time('openedAt'),
    ...time('openUntil'),
    ...time('trialStartedAt'),
  };
}
