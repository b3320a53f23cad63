/**
 * Puts a task's life into the audit log (security/audit-log.ts) from the bus: started, then
 * finished or cancelled. A plain subscriber like the task recorder; the task text in a record
 * is already redacted (it is redacted when the task is taken in) and cut to a summary.
 */
import type { OrchestratorBus } from '../events/events.js';
import type { AuditLog } from '../security/audit-log.js';

/** The task text kept in a record: enough to recognise the task, not its whole prompt. */
export const AUDIT_TASK_CHARS = 200;

export function attachTaskAudit(bus: OrchestratorBus, audit: Pick<AuditLog, 'append'>, options: { signal?: AbortSignal } = {}): () => void {
  const offs = [
    bus.subscribe(
      'task.started',
      (event) =>
        audit.append({
          type: 'task.started',
          taskId: event.taskId,
          workflow: event.workflow,
          cwd: event.cwd,
          projectId: event.projectId,
          task: summary(event.task),
        }),
      options,
    ),
    bus.subscribe(
      'task.finished',
      (event) =>
        audit.append({
          type: event.status === 'cancelled' ? 'task.cancelled' : 'task.finished',
          taskId: event.taskId,
          status: event.status,
          stopReason: event.stopReason,
          iterations: event.iterations,
          durationMs: event.durationMs,
        }),
      options,
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}

function summary(task: string): string {
  const flat = task.replace(/\s+/g, ' ').trim();
  return flat.length > AUDIT_TASK_CHARS ? `${flat.slice(0, AUDIT_TASK_CHARS - 1)}…` : flat;
}
