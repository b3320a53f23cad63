/**
 * Socket.IO on the server's port: the seed's event names (connected, task_started, progress_log,
 * task_completed, task_error, task_cancelled) plus our typed events (`task_event` {seq, event}),
 * fed from the task service's sequenced event log.
 *
 * Rooms: `client:<client_id>` (the seed's per-client room: tasks that client starts are watched
 * for every socket in it) and `task:<id>` (the sockets watching a task). Each socket's watch of a
 * task is a replay from the seq it asks for followed by live events, one read of the log, so a
 * reconnecting client (or a reloaded page) gets what it missed, never a duplicate. A socket whose
 * outgoing buffer stays full is disconnected instead of being buffered without bound.
 */
import { Server, type Socket } from 'socket.io';
import type { StoredEvent } from '../events/events.js';
import type { TaskService } from '../service/task-service.js';
import type { ServerApp } from './app.js';
import { clientIdOf } from './client-sessions.js';
import { liveMessage, seedEvents } from './seed-events.js';
import type { SlowClientLimits } from './slow-clients.js';

/** Tasks one socket may watch at once. */
const MAX_WATCHES_PER_SOCKET = 20;

export interface LiveEvents {
  readonly io: Server;
  close(): Promise<void>;
}

interface WatchRequest {
  readonly task_id?: unknown;
  readonly since?: unknown;
}

export function attachLiveEvents(server: ServerApp): LiveEvents {
  const { service, sessions, slowClients } = server.context;
  const io = new Server(server.app.server, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
  const watches = new WeakMap<Socket, Map<string, AbortController>>();

  io.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    if (server.guard.allows(socket.handshake.headers, auth['token'])) {
      next();
      return;
    }
    next(new Error('UNAUTHORIZED: a token and an allowed Host/Origin are required'));
  });

  io.on('connection', (socket) => {
    const clientId = clientIdOf(undefined, socket.handshake.query, socket.handshake.headers['x-client-id']);
    watches.set(socket, new Map());
    void socket.join(`client:${clientId}`);
    const session = sessions.get(clientId);
    const last = session.taskIds.at(-1);
    const lastTask = last ? service.get(last) : undefined;
    socket.emit('connected', {
      message: 'Connected to ai-orchestrator',
      can_followup: lastTask?.status === 'completed',
      status: lastTask?.status ?? 'idle',
      client_id: clientId,
    });

    socket.on('watch_task', (request: WatchRequest, ack?: (answer: unknown) => void) => {
      const taskId = typeof request.task_id === 'string' ? request.task_id : '';
      const since = typeof request.since === 'number' && Number.isInteger(request.since) && request.since >= 0 ? request.since : 0;
      try {
        const task = service.resolve(taskId);
        watch(socket, task.id, since, clientId);
        ack?.({ ok: true, task_id: task.id });
      } catch (error) {
        ack?.({ ok: false, error: { code: 'TASK_NOT_FOUND', message: error instanceof Error ? error.message : String(error) } });
      }
    });
    socket.on('unwatch_task', (request: WatchRequest) => {
      const taskId = typeof request.task_id === 'string' ? request.task_id : '';
      watches.get(socket)?.get(taskId)?.abort();
    });
    socket.on('disconnect', () => {
      for (const controller of watches.get(socket)?.values() ?? []) controller.abort();
    });
  });

  function watch(socket: Socket, taskId: string, since: number, clientId: string): void {
    const own = watches.get(socket);
    if (!own) return;
    // A second watch of the same task replaces the first: the client asks from the seq it has.
    own.get(taskId)?.abort();
    if (own.size >= MAX_WATCHES_PER_SOCKET) own.values().next().value?.abort();
    const controller = new AbortController();
    own.set(taskId, controller);
    void socket.join(`task:${taskId}`);
    void (async () => {
      try {
        for await (const stored of service.watch(taskId, { since, signal: controller.signal })) {
          emitStored(socket, stored, clientId, service);
          if (!(await drained(socket, controller.signal, slowClients))) {
            socket.disconnect(true);
            // A plain close waits for the queue to drain, which a reader that stopped never does:
            // discard it, so the dropped client's packets are freed now.
            socket.conn.close(true);
            return;
          }
        }
      } finally {
        if (own.get(taskId) === controller) own.delete(taskId);
        void socket.leave(`task:${taskId}`);
      }
    })();
  }

  // Tasks a client starts through /api/execute are followed for every socket of that client.
  const stopFollowing = sessions.onTask((clientId, taskId) => {
    void io.in(`client:${clientId}`).fetchSockets().then((sockets) => {
      for (const remote of sockets) {
        const socket = io.sockets.sockets.get(remote.id);
        if (socket) watch(socket, taskId, 0, clientId);
      }
    });
  });

  return {
    io,
    async close() {
      stopFollowing();
      await io.close();
    },
  };
}

function emitStored(socket: Socket, stored: StoredEvent, clientId: string, service: TaskService): void {
  socket.emit('task_event', { seq: stored.seq, event: stored.event });
  for (const [name, payload] of seedEvents(stored.event, clientId, service)) socket.emit(name, { ...payload, task_id: stored.event.taskId, seq: stored.seq });
  const message = liveMessage(stored.event);
  if (message) socket.emit('progress_log', { ...message, task_id: stored.event.taskId, seq: stored.seq });
}

/** Waits while the socket's outgoing queue is over the cap; false when it did not drain in time. */
async function drained(socket: Socket, signal: AbortSignal, limits: SlowClientLimits): Promise<boolean> {
  // engine.io keeps the queue private; its length is the only measure of a slow reader.
  const queued = (): number => (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
  if (queued() <= limits.maxQueuedPackets) return true;
  const deadline = Date.now() + limits.drainTimeoutMs;
  while (queued() > limits.maxQueuedPackets) {
    if (signal.aborted || socket.disconnected || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
