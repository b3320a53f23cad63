/**
 * The task store of a home directory, as every command that opens the database gets it: opened,
 * migrated, and with tasks left unfinished by dead processes marked `interrupted`.
 */
import { databasePath, openDatabase } from '../storage/database.js';
import { createTaskStore, type TaskStore, type TaskStoreOptions } from './task-store.js';

export interface OpenedTaskStore {
  readonly store: TaskStore;
  /** Ids marked interrupted by this opening. */
  readonly interrupted: readonly string[];
}

export function openTaskStore(home: string, options: TaskStoreOptions = {}): OpenedTaskStore {
  const store = createTaskStore(openDatabase(databasePath(home)), options);
  const interrupted = store.markInterrupted();
  return { store, interrupted };
}
