/**
 * One process's handle on the queue: its Redis connection, the task streams, and BullMQ — all
 * loaded on first use (a process without `settings.queue` never imports bullmq or ioredis).
 * Blocking reads and the cancel subscription get connections of their own, opened when asked.
 */
import type * as BullMqModule from 'bullmq';
import type { ConnectionOptions, Queue } from 'bullmq';
import type { QueueSettings } from '../config/schema.js';
import { queueKeys, type QueueKeys } from './queue-keys.js';
import { openRedis, type RedisClient } from './redis-client.js';
import { createTaskStreams, type TaskStreams } from './task-stream.js';

export type BullMq = typeof BullMqModule;

export interface QueueClient {
  readonly settings: QueueSettings;
  readonly keys: QueueKeys;
  readonly redis: RedisClient;
  readonly streams: TaskStreams;
  readonly bullmq: BullMq;
  /** How BullMQ connects (its own connections, which also wait through a restart). */
  readonly connection: ConnectionOptions;
  /** The BullMQ queue of that name (one instance per process). */
  queue(name: string): Queue;
  /** A connection for blocking reads (XREAD BLOCK), opened on first use. */
  blocking(): Promise<RedisClient>;
  /** A connection in subscriber mode, opened on first use. */
  subscriber(): Promise<RedisClient>;
  close(): Promise<void>;
}

export interface OpenQueueClientOptions {
  /** Names the connections in Redis (CLIENT LIST). */
  readonly role: string;
  readonly onProblem: (message: string) => void;
}

/** Loads BullMQ and ioredis ahead of the first connection (a coordinator's first task waits less). */
export function preloadQueueModules(): void {
  void Promise.all([import('bullmq'), import('ioredis')]).catch(() => undefined);
}

export async function openQueueClient(settings: QueueSettings, options: OpenQueueClientOptions): Promise<QueueClient> {
  const [bullmq, redis] = await Promise.all([import('bullmq'), openRedis(settings.url, { name: `${settings.name}-${options.role}`, onError: options.onProblem })]);
  const keys = queueKeys(settings.name);
  const connection: ConnectionOptions = { url: settings.url, maxRetriesPerRequest: null };
  const queues = new Map<string, Queue>();
  let blocking: Promise<RedisClient> | undefined;
  let subscriber: Promise<RedisClient> | undefined;
  return {
    settings,
    keys,
    redis,
    streams: createTaskStreams(redis, keys),
    bullmq,
    connection,
    queue(name) {
      let queue = queues.get(name);
      if (!queue) {
        queue = new bullmq.Queue(name, { connection });
        queue.on('error', (error: Error) => options.onProblem(`queue ${name}: ${error.message}`));
        queues.set(name, queue);
      }
      return queue;
    },
    blocking() {
      blocking ??= openRedis(settings.url, { name: `${settings.name}-${options.role}-reader`, onError: options.onProblem });
      return blocking;
    },
    subscriber() {
      subscriber ??= openRedis(settings.url, { name: `${settings.name}-${options.role}-cancel`, onError: options.onProblem });
      return subscriber;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((queue) => queue.close()));
      for (const pending of [blocking, subscriber]) if (pending) (await pending).disconnect();
      redis.disconnect();
    },
  };
}
