/**
 * A checkout of the project whose speed is measured: this one, or another one given as
 * BENCH_BEFORE (e.g. a checkout of main) so "before" and "after" run side by side in one run.
 * Its built CLI is spawned; its memory API is imported from its own sources.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { configSchema } from '../../src/config/schema.js';
import type { MemoryManager as MemoryManagerApi } from '../../src/index.js';
import type { createLogger } from '../../src/observability/logger.js';
import type { createTaskService } from '../../src/service/task-service.js';

export interface MemoryModules {
  readonly MemoryManager: typeof MemoryManagerApi;
  /** A fresh connection for the next open: the store keeps one connection per file and process. */
  readonly closeAllDatabases: () => void;
}

/** What an in-process task service needs, from the checkout's own sources. */
export interface ServiceModules {
  readonly createTaskService: typeof createTaskService;
  readonly configSchema: typeof configSchema;
  readonly createLogger: typeof createLogger;
}

export interface Checkout {
  readonly label: string;
  readonly root: string;
  /** The built binary of this checkout. */
  readonly cli: string;
  memory(): Promise<MemoryModules>;
  service(): Promise<ServiceModules>;
}

/** The built binary: dist/bin.js, or dist/cli/bin.js in checkouts from before the composition root. */
const BINARIES = ['dist/bin.js', 'dist/cli/bin.js'];

export function openCheckout(root: string, label: string): Checkout {
  const cli = BINARIES.map((binary) => path.join(root, binary)).find((file) => existsSync(file));
  if (!cli) throw new Error(`${label}: no built binary (${BINARIES.join(' or ')}) — run \`npm run build\` in ${root} first`);
  let modules: Promise<MemoryModules> | undefined;
  let service: Promise<ServiceModules> | undefined;
  const source = (file: string): Promise<unknown> => import(pathToFileURL(path.join(root, file)).href);
  return {
    label,
    root,
    cli,
    memory() {
      modules ??= (async () => {
        const api = (await import(pathToFileURL(path.join(root, 'src/index.ts')).href)) as { MemoryManager: typeof MemoryManagerApi };
        const storage = (await import(pathToFileURL(path.join(root, 'src/storage/database.ts')).href)) as { closeAllDatabases: () => void };
        return { MemoryManager: api.MemoryManager, closeAllDatabases: storage.closeAllDatabases };
      })();
      return modules;
    },
    service() {
      service ??= (async () => {
        const [tasks, config, logger] = (await Promise.all([
          source('src/service/task-service.ts'),
          source('src/config/schema.ts'),
          source('src/observability/logger.ts'),
        ])) as [Pick<ServiceModules, 'createTaskService'>, Pick<ServiceModules, 'configSchema'>, Pick<ServiceModules, 'createLogger'>];
        return { createTaskService: tasks.createTaskService, configSchema: config.configSchema, createLogger: logger.createLogger };
      })();
      return service;
    },
  };
}
