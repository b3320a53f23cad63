/**
 * The seed's per-client view (`client_id`): which tasks a browser tab started, the one running
 * now, and the conversation a follow-up continues. The tasks themselves live in the task service;
 * this only remembers ids, a bounded number per client and a bounded number of clients.
 */
import { randomUUID } from 'node:crypto';

const MAX_CLIENTS = 1_000;
const MAX_TASKS_PER_CLIENT = 100;
export const MAX_CLIENT_ID_CHARS = 128;

export interface ClientSession {
  readonly clientId: string;
  readonly sessionId: string;
  /** Oldest first. */
  readonly taskIds: string[];
}

export interface ClientSessions {
  get(clientId: string): ClientSession;
  addTask(clientId: string, taskId: string): ClientSession;
  clear(clientId: string): void;
  /** The client a task was started by, when it was started through this server. */
  clientOf(taskId: string): string | undefined;
  /** Called for every task a client starts (live events follow it for that client's sockets). */
  onTask(listener: (clientId: string, taskId: string) => void): () => void;
}

export function createClientSessions(): ClientSessions {
  const sessions = new Map<string, ClientSession>();
  const owners = new Map<string, string>();
  const listeners = new Set<(clientId: string, taskId: string) => void>();

  function get(clientId: string): ClientSession {
    let session = sessions.get(clientId);
    if (!session) {
      session = { clientId, sessionId: randomUUID(), taskIds: [] };
      sessions.set(clientId, session);
      if (sessions.size > MAX_CLIENTS) forget(sessions.keys().next().value ?? clientId);
    }
    return session;
  }

  function forget(clientId: string): void {
    for (const id of sessions.get(clientId)?.taskIds ?? []) owners.delete(id);
    sessions.delete(clientId);
  }

  return {
    get,
    addTask(clientId, taskId) {
      const session = get(clientId);
      session.taskIds.push(taskId);
      owners.set(taskId, clientId);
      if (session.taskIds.length > MAX_TASKS_PER_CLIENT) owners.delete(session.taskIds.shift() ?? '');
      for (const listener of listeners) listener(clientId, taskId);
      return session;
    },
    clear(clientId) {
      const session = sessions.get(clientId);
      if (!session) return;
      for (const id of session.taskIds) owners.delete(id);
      session.taskIds.length = 0;
    },
    clientOf: (taskId) => owners.get(taskId),
    onTask(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The seed's rule: body `client_id`, else `?client_id=`, else `X-Client-Id`, else "default"; at most 128 characters. */
export function clientIdOf(body: unknown, query: unknown, header: string | string[] | undefined): string {
  const pick = (source: unknown): string | undefined => {
    if (typeof source !== 'object' || source === null) return undefined;
    const value = (source as Record<string, unknown>)['client_id'];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const id = pick(body) ?? pick(query) ?? (fromHeader?.trim() || undefined) ?? 'default';
  return id.slice(0, MAX_CLIENT_ID_CHARS);
}
