/**
 * Task states and the moves between them: queued (waiting for its working tree) → pending
 * (planning) → in_progress → completed | failed | cancelled. `interrupted` is set from outside
 * the task's own process, when the process that owned an unfinished task is found dead — a crash
 * is recorded, never silently lost. A stopped task (failed, cancelled, interrupted) can be
 * resumed: it goes back to queued and continues after its last completed step.
 */
import { TASK_STATUSES, type TaskStatus } from '../events/task-values.js';

export { TASK_STATUSES, type TaskStatus };

const MOVES: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  queued: ['pending', 'cancelled', 'failed', 'interrupted'],
  pending: ['in_progress', 'cancelled', 'failed', 'interrupted'],
  in_progress: ['completed', 'failed', 'cancelled', 'interrupted'],
  completed: [],
  failed: ['queued'],
  cancelled: ['queued'],
  interrupted: ['queued'],
};

/** States a task is still running in (some process owns it). */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['queued', 'pending', 'in_progress'];

export function canMove(from: TaskStatus, to: TaskStatus): boolean {
  return MOVES[from].includes(to);
}

/** The task has ended (possibly to be resumed later); nothing is running for it. */
export function isFinal(status: TaskStatus): boolean {
  return !ACTIVE_STATUSES.includes(status);
}

export function isResumable(status: TaskStatus): boolean {
  return MOVES[status].includes('queued');
}

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}
