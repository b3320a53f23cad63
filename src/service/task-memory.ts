/**
 * Context memory for tasks: when settings.enable_context_memory is on, opens the memory in the
 * home's one database, registers the project (named, or the git repository of the working
 * directory; scanned in full once, then rescanned incrementally — only changed files are read —
 * each time a process opens it) and gives the memory hook (relevant earlier work in, the
 * finished task out). The project id is the memory's id for the path, so tasks,
 * `context search --project` and the scan agree.
 */
import path from 'node:path';
import type { Settings } from '../config/schema.js';
import { projectIdForPath } from '../context/project-id.js';
import { databasePath } from '../storage/database.js';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../shared/errors.js';
import type { EngineMemory } from '../workflow/engine.js';

export interface TaskMemory {
  readonly memory?: EngineMemory;
  readonly projectId?: string;
  /** settings.memory.token_budget: tokens of memory in each step prompt. */
  readonly tokenBudget?: number;
}

export interface TaskMemoryOptions {
  readonly home: string;
  readonly enabled: boolean;
  /** settings.memory: embedding provider and prompt budget. */
  readonly settings: Settings['memory'];
  readonly env?: NodeJS.ProcessEnv;
  /** The project's path as given (relative to `cwd`), if any. */
  readonly projectPath?: string;
  readonly cwd: string;
  readonly logger: Logger;
}

export async function openTaskMemory(options: TaskMemoryOptions): Promise<TaskMemory> {
  const projectPath = options.projectPath ? path.resolve(options.cwd, options.projectPath) : undefined;
  const projectId = projectPath ? projectIdForPath(projectPath) : undefined;
  if (!options.enabled) return projectId ? { projectId } : {};
  try {
    const { MemoryManager } = await import('../context/memory-manager.js');
    const { embeddingFromSettings } = await import('../context/memory-settings.js');
    const { createEngineMemory } = await import('../workflow/memory-hook.js');
    const manager = await MemoryManager.open({
      dbPath: databasePath(options.home),
      embedding: embeddingFromSettings(options.settings, options.env ?? process.env),
      onWarning: (message) => options.logger.warn(message),
    });
    if (projectPath) {
      // A rescan reads only the files changed since the last one, so the files a prompt names exist.
      const known = manager.getProject(projectPath) !== undefined;
      const scanned = await manager.registerProject(projectPath);
      if (!known) options.logger.info(`registered project ${scanned.project.name} (${scanned.project.fileCount} files) for context memory`);
      else options.logger.debug(`rescanned project ${scanned.project.name}: ${scanned.scan.read} files read, ${scanned.removed} memory nodes removed`);
    }
    return { memory: createEngineMemory(manager), tokenBudget: options.settings.token_budget, ...(projectId ? { projectId } : {}) };
  } catch (error) {
    // Memory helps; it must never stop a task from running.
    options.logger.warn(`context memory unavailable, running without it: ${errorMessage(error)}`);
    return projectId ? { projectId } : {};
  }
}
