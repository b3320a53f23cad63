/**
 * Redis connections of queue mode. ioredis is imported here on first use only: a process without
 * `settings.queue` never loads it. Commands wait through a Redis restart (ioredis reconnects and
 * sends them again) instead of failing, so events are delayed, not lost; `checkReachable` is the
 * fail-fast probe for a submitter that should say at once that the queue is down.
 */
import type { Redis } from 'ioredis';
import { OrchestratorError, errorMessage } from '../shared/errors.js';

export type RedisClient = Redis;

export interface OpenRedisOptions {
  /** Shown in Redis's CLIENT LIST: which part of which process holds the connection. */
  readonly name: string;
  /** Told once per distinct connection problem (a restart logs one line, not one per retry). */
  readonly onError?: (message: string) => void;
}

export async function openRedis(url: string, options: OpenRedisOptions): Promise<RedisClient> {
  const { Redis: RedisClass } = await import('ioredis');
  const client = new RedisClass(url, {
    connectionName: options.name,
    // null: a command waits for the reconnect instead of failing after 20 tries.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  let last = '';
  client.on('error', (error: unknown) => {
    const message = errorMessage(error);
    if (message === last) return;
    last = message;
    options.onError?.(`queue ${displayUrl(url)}: ${message}`);
  });
  client.on('ready', () => {
    last = '';
  });
  return client;
}

/** Throws QUEUE_UNAVAILABLE unless Redis answers within `timeoutMs`. */
export async function checkReachable(client: RedisClient, url: string, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new OrchestratorError('QUEUE_UNAVAILABLE', `the queue at ${displayUrl(url)} did not answer within ${timeoutMs / 1000} s (is Redis running?)`)), timeoutMs);
  });
  try {
    await Promise.race([client.ping(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its password, for messages and logs. */
export function displayUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/, (_match, scheme: string, auth: string) => {
    const user = auth.includes(':') ? auth.slice(0, auth.indexOf(':')) : '';
    return `${scheme}${user ? `${user}:` : ''}***@`;
  });
}
