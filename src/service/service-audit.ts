/**
 * Puts the life of every task a service runs into the audit log (security/audit-log.ts):
 * submitted, queued, started, resumed, finished or cancelled — from the service's events — and
 * every cancel asked for through it, whichever process runs the task. Task texts in the events
 * are already redacted (the service redacts a task when it takes it in); a record keeps a
 * one-line summary of them.
 */
import type { OrchestratorEvent } from '../events/events.js';
import type { AuditEntry, AuditLog } from '../security/audit-log.js';
import type { TaskService } from './task-service.js';

/** The task text kept in a record: enough to recognise the task, not its whole prompt. */
export const AUDIT_TASK_CHARS = 200;

export interface ServiceAuditOptions {
  /** An audit record that could not be written (a full disk, a lock held too long). */
  readonly onError: (error: unknown) => void;
  /** Who is asking, for cancel records: cli, api, mcp, … */
  readonly source: string;
}

/** The same service, with its task events and cancel requests recorded in `audit`. */
export function auditTaskService(service: TaskService, audit: Pick<AuditLog, 'append'>, options: ServiceAuditOptions): TaskService {
  const record = (entry: AuditEntry | undefined): void => {
    if (!entry) return;
    try {
      audit.append(entry);
    } catch (error) {
      options.onError(error);
    }
  };
  service.subscribe((event) => record(auditEntryOf(event)));
  return {
    ...service,
    async cancel(idOrPrefix, cancelOptions) {
      const task = service.resolve(idOrPrefix);
      record({ type: 'task.cancel_requested', taskId: task.id, status: task.status, source: options.source });
      return service.cancel(task.id, cancelOptions);
    },
  };
}

/** The audit record of a service event, if the event is one the trail keeps. */
export function auditEntryOf(event: OrchestratorEvent): AuditEntry | undefined {
  if (event.type === 'task.created') {
    return {
      type: 'task.submitted',
      taskId: event.taskId,
      workflow: event.workflow,
      cwd: event.cwd,
      source: event.source,
      followUpOf: event.followUpOf,
      task: summary(event.task),
    };
  }
  if (event.type === 'task.queued') return { type: 'task.queued', taskId: event.taskId, waitingFor: event.waitingFor, cwd: event.cwd, ...(event.reason ? { reason: event.reason } : {}) };
  if (event.type === 'task.started') return { type: 'task.started', taskId: event.taskId, workflow: event.workflow, projectId: event.projectId };
  if (event.type === 'task.resumed') {
    return { type: 'task.resumed', taskId: event.taskId, previousStatus: event.previousStatus, iteration: event.iteration, index: event.index };
  }
  if (event.type === 'task.finished') {
    return {
      type: event.status === 'cancelled' ? 'task.cancelled' : 'task.finished',
      taskId: event.taskId,
      status: event.status,
      stopReason: event.stopReason,
      iterations: event.iterations,
      durationMs: event.durationMs,
    };
  }
  return undefined; // steps, output and agent events are the event log's, not the audit trail's
}

function summary(task: string): string {
  const flat = task.replace(/\s+/g, ' ').trim();
  return flat.length > AUDIT_TASK_CHARS ? `${flat.slice(0, AUDIT_TASK_CHARS - 1)}…` : flat;
}
