/**
 * What `tasks diff|rollback|apply|clean` open: the task store (opening it marks tasks of dead
 * processes interrupted, so "still running" below means a live process runs it) and the workspace
 * store in the same database.
 */
import { databasePath, openDatabase } from '../../storage/database.js';
import { openTaskStore } from '../../tasks/open-task-store.js';
import { ACTIVE_STATUSES } from '../../tasks/task-state.js';
import type { TaskRecord, TaskStore } from '../../tasks/task-store.js';
import type { TaskRef } from '../../workspace/task-changes.js';
import { createWorkspaceStore, type WorkspaceStore } from '../../workspace/workspace-store.js';

export interface TaskWorkspaceStores {
  readonly tasks: TaskStore;
  readonly workspace: WorkspaceStore;
  /** A task by id or unique prefix, and whether it is still running. */
  resolve(idOrPrefix: string): { readonly task: TaskRecord; readonly ref: TaskRef };
}

export function openTaskWorkspaceStores(home: string): TaskWorkspaceStores {
  const { store } = openTaskStore(home);
  const workspace = createWorkspaceStore(openDatabase(databasePath(home)));
  return {
    tasks: store,
    workspace,
    resolve(idOrPrefix) {
      const task = store.resolve(idOrPrefix);
      return { task, ref: { id: task.id, running: ACTIVE_STATUSES.includes(task.status) } };
    },
  };
}
