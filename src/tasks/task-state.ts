/**
 * Task states and the moves between them: pending → in_progress → completed | failed |
 * cancelled. `interrupted` is set from outside the task's own process, when the process that
 * owned an unfinished task is found dead — a crash is recorded, never silently lost.
 */
import { TASK_STATUSES, type TaskStatus } from '../events/events.js';

export { TASK_STATUSES, type TaskStatus };

const MOVES: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['in_progress', 'cancelled', 'failed', 'interrupted'],
  in_progress: ['completed', 'failed', 'cancelled', 'interrupted'],
  completed: [],
  failed: [],
  cancelled: [],
  interrupted: [],
};

export function canMove(from: TaskStatus, to: TaskStatus): boolean {
  return MOVES[from].includes(to);
}

export function isFinal(status: TaskStatus): boolean {
  return MOVES[status].length === 0;
}

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}
