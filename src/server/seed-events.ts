/** The seed's Socket.IO events, derived from our typed events (field names as the seed's). */
import type { OrchestratorEvent } from '../events/events.js';
import type { TaskService } from '../service/task-service.js';

type SeedEvent = readonly [name: string, payload: Record<string, unknown>];

export function seedEvents(event: OrchestratorEvent, clientId: string, service: TaskService): SeedEvent[] {
  if (event.type === 'task.started') {
    const task = service.get(event.taskId);
    return [['task_started', { task: event.task, workflow: event.workflow, is_followup: Boolean(task?.followUpOf) }]];
  }
  if (event.type !== 'task.finished') return [];
  if (event.status === 'cancelled') return [['task_cancelled', { client_id: clientId }]];
  if (event.status === 'completed') {
    const files = [...new Set(service.steps(event.taskId).flatMap((step) => step.filesModified))].sort();
    const task = service.get(event.taskId);
    return [['task_completed', { task: task?.task ?? '', success: event.success, output: event.finalOutput, files, iterations: event.iterations, can_followup: true }]];
  }
  return [['task_error', { error: event.reason }]];
}

interface LogLine {
  readonly message: string;
  readonly level: 'info' | 'warning' | 'error';
}

/** One line for the seed's progress_log, for the events a person follows a run by. */
export function liveMessage(event: OrchestratorEvent): (LogLine & { timestamp: string }) | undefined {
  const line = logLine(event);
  return line ? { ...line, timestamp: event.timestamp } : undefined;
}

function logLine(event: OrchestratorEvent): LogLine | undefined {
  if (event.type === 'task.queued') {
    const why = event.reason === 'capacity' ? 'for a free slot (settings.max_parallel_tasks)' : `for task ${event.waitingFor.slice(0, 8)} on the same working tree`;
    return { message: `waiting ${why}`, level: 'info' };
  }
  if (event.type === 'step.started') {
    return { message: `iteration ${event.iteration}, step ${event.index + 1}/${event.stepCount}: ${event.agent} (${event.role})${event.fallbackFrom ? ` — fallback for ${event.fallbackFrom}` : ''}`, level: 'info' };
  }
  if (event.type === 'step.activity') return { message: `${event.agent}: ${event.activity}`, level: 'info' };
  if (event.type === 'agent.retrying') return { message: `${event.agent}: ${event.error.kind} — retry ${event.attempt}/${event.maxAttempts}`, level: 'warning' };
  if (event.type === 'step.finished') {
    return { message: `${event.step.agent} ${event.step.success ? 'finished' : `failed: ${event.step.error?.message ?? ''}`}`, level: event.step.success ? 'info' : 'error' };
  }
  if (event.type === 'iteration.finished') {
    const it = event.iteration;
    return { message: `iteration ${it.iteration}: ${it.suggestionCount} suggestion(s)${it.stop ? ` — ${it.stop.detail}` : ''}`, level: 'info' };
  }
  return undefined;
}
