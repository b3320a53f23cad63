/**
 * Where a queued task's changes are, as its coordinator stored them when their end arrived: on
 * branch `aio/<task-id>` of its repository, or in a bundle under the home. A queued task whose
 * result has not been stored here yet is said so, not mistaken for a task without a worktree.
 */
import { OrchestratorError } from '../../shared/errors.js';
import { databasePath, openDatabase } from '../../storage/database.js';
import { createQueueStore, type DeliveredResult } from '../../queue/queue-store.js';
import { isQueueOwned, type TaskRecord } from '../../tasks/task-store.js';

export function queuedResult(home: string, task: TaskRecord): DeliveredResult | undefined {
  if (!isQueueOwned(task)) return undefined;
  const result = createQueueStore(openDatabase(databasePath(home))).get(task.id)?.result;
  if (!result) {
    const short = task.id.slice(0, 8);
    throw new OrchestratorError('INVALID_INPUT', `task ${short} ran on queue workers and where its changes went is not stored here yet (\`ai-orchestrator tasks watch ${short}\` stores its events)`);
  }
  return result;
}
