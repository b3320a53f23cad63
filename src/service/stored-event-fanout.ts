/**
 * Hands each event this process stores to the in-process watchers of its task. A watcher that
 * subscribes a little late — `run` follows its task just after submitting it, after the first
 * event is stored — first gets the task's earliest events again from a short memory, so it does
 * not read them back from the log (which would check them against the schemas: ≈ 30–70 ms of
 * zod's first-use compilation in a fresh process). Longer gaps are the watcher's to read.
 */
import { isFinalEvent, type OrchestratorEvent, type StoredEvent } from '../events/events.js';

/** The earliest events of a task kept for late subscribers (a task's first few are all they need). */
const KEPT_PER_TASK = 64;

export interface StoredEventFanout {
  /**
   * An event as stored: to the task's subscribers. Its task and kind are read from the event as
   * published (the same in both): the stored copy is read only when a subscriber asks for it.
   */
  deliver(stored: StoredEvent, published: OrchestratorEvent): void;
  /**
   * Subscribes to a task's stored events from now on; with `earliest`, the first ones kept so far
   * are handed at once (a watcher catching up; a forwarder wants only what comes next).
   */
  subscribe(taskId: string, listener: (stored: StoredEvent) => void, options?: { readonly earliest?: boolean }): () => void;
}

export function createStoredEventFanout(): StoredEventFanout {
  const listeners = new Map<string, Set<(stored: StoredEvent) => void>>();
  const earliest = new Map<string, StoredEvent[]>();
  return {
    deliver(stored, published) {
      const taskId = published.taskId;
      if (isFinalEvent(published)) earliest.delete(taskId);
      else {
        const kept = earliest.get(taskId);
        if (!kept) earliest.set(taskId, [stored]);
        else if (kept.length < KEPT_PER_TASK) kept.push(stored);
      }
      for (const listener of listeners.get(taskId) ?? []) listener(stored);
    },
    subscribe(taskId, listener, options = {}) {
      if (options.earliest) for (const stored of earliest.get(taskId) ?? []) listener(stored);
      const set = listeners.get(taskId) ?? new Set();
      listeners.set(taskId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(taskId);
      };
    },
  };
}
