/**
 * GET /api/tasks/:id/events — the task's event log as Server-Sent Events. Every frame's `id:` is
 * the event's seq, so a client that reconnects with `Last-Event-ID` (or `?since=`) gets exactly
 * what it missed. Replay and live are one read of the sequenced log (the service's watch), so the
 * hand-over has no gap and no duplicate.
 *
 * A slow client is not buffered: the next event is read from the log only once the socket took
 * the last one; a client that does not drain within the server's drain timeout (`slowClients`) is disconnected (it
 * reconnects and replays from its last id).
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { StoredEvent } from '../../events/events.js';
import type { ServerContext } from '../server-context.js';
import { taskParams } from './task-routes.js';

const KEEPALIVE_MS = 15_000;

const eventsQuery = z.object({
  since: z.coerce.number().int().min(0).optional(),
  /** Keep the stream open after the task ends (a resumed run appends more). */
  follow: z.enum(['until-end', 'forever']).default('until-end'),
});

export function sseFrame(stored: StoredEvent): string {
  return `id: ${stored.seq}\nevent: ${stored.event.type}\ndata: ${JSON.stringify(stored.event)}\n\n`;
}

export function registerTaskEventRoutes(context: ServerContext): void {
  context.api.route({
    method: 'GET',
    url: '/api/tasks/:id/events',
    summary: 'the task events as Server-Sent Events (id = seq; Last-Event-ID or ?since= replays what was missed)',
    params: taskParams,
    query: eventsQuery,
    handler: async ({ params, query }, request, reply) => {
      const task = context.service.resolve(params.id);
      const lastEventId = Number(request.headers['last-event-id']);
      const since = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (query.since ?? 0);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Reverse proxies (nginx) would otherwise hold the stream back.
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      request.raw.on('close', stop);
      const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
      try {
        for await (const stored of context.service.watch(task.id, { since, signal: controller.signal, follow: query.follow })) {
          if (!(await send(raw, sseFrame(stored), controller.signal, context.slowClients.drainTimeoutMs))) {
            context.logger.debug(`SSE client of task ${task.id.slice(0, 8)} too slow: disconnected at seq ${stored.seq}`);
            raw.destroy();
            return;
          }
        }
        raw.write('event: end\ndata: {}\n\n');
        raw.end();
      } finally {
        clearInterval(keepalive);
        request.raw.off('close', stop);
        if (!raw.writableEnded) raw.end();
      }
    },
  });
}

/** Writes a frame; waits for the socket to drain when its buffer is full. False: gave up. */
async function send(raw: ServerResponse, frame: string, signal: AbortSignal, drainTimeoutMs: number): Promise<boolean> {
  if (raw.destroyed) return false;
  if (raw.write(frame)) return true;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      raw.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(false), drainTimeoutMs);
    raw.on('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
