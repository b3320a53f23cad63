/**
 * The one writer of task state. Every event a task publishes goes through `record`: in one
 * transaction it is appended to the task's event log (which gives it its sequence number) and
 * the task's row follows it — queued, planned, started, the running step and agent process,
 * every finished step and iteration, the end state. Subscribed to the bus, so the engine never
 * knows there is a database; listeners get each event as stored, with its seq.
 *
 * On the bus the recorder writes behind (storage/turn-writes.ts): the events published in one turn
 * of the event loop are stored together, in one transaction, at the end of that turn — between an
 * agent's exit and the next agent's start, that is just after the next spawn. Nothing reaches a
 * listener before it is stored, and reads through `settledFirst` (storage/turn-writes.ts) see every
 * event published before.
 */
import type { OrchestratorBus, OrchestratorEvent, StoredEvent } from '../events/events.js';
import type { EventLog } from './event-log.js';
import type { TaskStore } from './task-store.js';
import type { Db } from '../storage/database.js';
import { turnWrites, type TurnWrites } from '../storage/turn-writes.js';

export interface TaskRecorder {
  /** Stores the event as part of the transaction the caller holds open (the turn's, see below). */
  record(event: OrchestratorEvent): StoredEvent | undefined;
  /** The writes deferred to the end of the turn on the recorder's connection. */
  readonly turn: TurnWrites;
}

export function createTaskRecorder(db: Db, store: TaskStore, log: EventLog): TaskRecorder {
  const apply = (event: OrchestratorEvent): void => {
    switch (event.type) {
      case 'task.assigned':
        store.assign(event.taskId);
        if (event.iteration !== undefined && event.index !== undefined) store.dropStepsFrom(event.taskId, event.iteration, event.index);
        break;
      case 'task.takeover':
        store.takeOver(event.taskId, event.iteration, event.index);
        break;
      case 'task.planned':
        store.setPlan(event.taskId, event.plan.workflow, event.plan.maxIterations);
        break;
      case 'task.started':
        store.start(event.taskId);
        break;
      case 'step.started':
        store.setCurrentStep(event.taskId, {
          iteration: event.iteration,
          index: event.index,
          agent: event.agent,
          role: event.role,
          startedAt: event.timestamp,
        });
        break;
      case 'agent.started':
        store.recordAgentProcess(event.taskId, event.pid);
        break;
      case 'step.finished':
        store.recordStep(event.taskId, event.step);
        break;
      case 'iteration.finished':
        store.recordIteration(event.taskId, event.iteration);
        break;
      case 'task.finished':
        if (event.status === 'completed' || event.status === 'failed' || event.status === 'cancelled') {
          const status = store.status(event.taskId);
          // A task already ended elsewhere (e.g. found interrupted) keeps that state.
          if (status === 'queued' || status === 'pending' || status === 'in_progress') {
            store.finish(event.taskId, {
              status: event.status,
              success: event.success,
              stopReason: event.stopReason,
              reason: event.reason,
              iterations: event.iterations,
              finalOutput: event.finalOutput,
              usage: event.usage,
            });
          }
        }
        break;
      case 'task.created':
      case 'task.queued':
      case 'task.resumed':
      case 'agent.retrying':
      case 'circuit.changed':
      case 'step.output':
      case 'step.activity':
      case 'agent.stderr':
      case 'workspace.notice':
      case 'workspace.checkpoint':
      case 'workspace.result':
        // In the log only: the task row has nothing to follow for these.
        break;
    }
  };
  const record = (event: OrchestratorEvent): StoredEvent | undefined => {
    const stored = log.append(event);
    apply(event);
    return stored;
  };
  return { record, turn: turnWrites(db) };
}

export interface AttachedRecorder {
  /** Stores the events still waiting, now, and hands them on: reads after this see them. */
  readonly settle: () => void;
  /** Stops recording; what waits is stored first. */
  readonly detach: () => void;
}

/**
 * Records every event published on the bus, at the end of the turn it was published in (or at
 * once inside an open transaction, whose caller wants it stored with its own writes), then hands
 * it (as stored, and as published) to `onStored`, always in the order published.
 */
export function attachTaskRecorder(
  bus: OrchestratorBus,
  recorder: TaskRecorder,
  onStored: (stored: StoredEvent, published: OrchestratorEvent) => void,
  options: { readonly signal?: AbortSignal; readonly onError?: (error: unknown) => void } = {},
): AttachedRecorder {
  const onError = options.onError ?? (() => undefined);
  const settle = (): void => recorder.turn.settle();
  const unsubscribe = bus.subscribeAll((event) => {
    let stored: StoredEvent | undefined;
    recorder.turn.defer({
      write: () => (stored = recorder.record(event)),
      after: () => {
        if (stored) onStored(stored, event);
      },
      onError,
    });
  }, options.signal ? { signal: options.signal } : {});
  options.signal?.addEventListener('abort', settle, { once: true });
  return {
    settle,
    detach() {
      unsubscribe();
      settle();
    },
  };
}
