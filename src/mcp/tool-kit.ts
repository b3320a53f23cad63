/**
 * What every MCP tool shares: the task service it translates to, the server's options, the
 * memory (opened on first use), and the one way a tool answers — structured content plus the
 * same JSON as text, for clients that read only text.
 */
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { MemoryManager } from '../context/memory-manager.js';
import type { Logger } from '../observability/logger.js';
import type { TaskService } from '../service/task-service.js';

export interface McpServerOptions {
  /** $AI_ORCHESTRATOR_HOME: the database the service and memory share. */
  readonly home: string;
  readonly logger: Logger;
  /** Reported to clients in the initialize handshake. */
  readonly version: string;
  /** Base directory for relative paths in tool input (the directory the server was started in). */
  readonly baseDir: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ToolContext {
  readonly service: TaskService;
  readonly options: McpServerOptions;
  /** The memory in the home's database, opened once per server on first use. */
  memory(): Promise<MemoryManager>;
}

export function createToolContext(service: TaskService, options: McpServerOptions): ToolContext {
  let opened: Promise<MemoryManager> | undefined;
  return {
    service,
    options,
    memory() {
      opened ??= openMemory(service, options);
      return opened;
    },
  };
}

async function openMemory(service: TaskService, options: McpServerOptions): Promise<MemoryManager> {
  const [{ MemoryManager }, { embeddingFromSettings }, { databasePath }] = await Promise.all([
    import('../context/memory-manager.js'),
    import('../context/memory-settings.js'),
    import('../storage/database.js'),
  ]);
  return MemoryManager.open({
    dbPath: databasePath(options.home),
    embedding: embeddingFromSettings(service.config.settings.memory, options.env ?? process.env),
    onWarning: (message) => options.logger.warn(message),
  });
}

/** A tool's answer: the structured value, and the same as JSON text for text-only clients. */
export function structured<T extends Record<string, unknown>>(value: T): CallToolResult & { structuredContent: T } {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** A path from tool input: relative to the server's base directory. */
export function inputPath(options: McpServerOptions, value: string): string {
  return path.resolve(options.baseDir, value);
}
