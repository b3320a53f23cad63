/** The persisted tasks as the metrics see them (workflow, status, iterations, review suggestions). */
import type { PersistedTask } from '../observability/metrics.js';
import type { Db } from '../storage/database.js';
import { createTaskStore } from '../tasks/task-store.js';

export function loadPersistedTasks(db: Db): PersistedTask[] {
  return createTaskStore(db)
    .list({ limit: Number.MAX_SAFE_INTEGER })
    .map((task) => ({
      workflow: task.workflow,
      status: task.status,
      iterations: task.iterations,
      reviewSuggestions: task.convergence.flatMap((iteration) => iteration.reviews.map((review) => review.suggestions)),
    }));
}
