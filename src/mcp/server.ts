/**
 * The MCP surface: an McpServer whose tools translate to the task service, the same service the
 * CLI and the web server use — so a task started here is an ordinary task (source `mcp`), in
 * `tasks list`, watchable, cancellable and resumable from anywhere.
 *
 * Transport-agnostic: connect the returned server to a stdio transport (`mcp` command), a
 * streamable HTTP transport (one server per session) or the in-memory pair in tests. Closing its
 * connection aborts the requests in flight, which cancels the tasks `orchestrator_execute` runs.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TaskService } from '../service/task-service.js';
import { createToolContext, type McpServerOptions } from './tool-kit.js';
import { registerCancelTool } from './tools/cancel.js';
import { registerEventsTool } from './tools/events.js';
import { registerExecuteTool } from './tools/execute.js';
import { registerHealthTool } from './tools/health.js';
import { registerListAgentsTool } from './tools/list-agents.js';
import { registerListWorkflowsTool } from './tools/list-workflows.js';
import { registerMemorySearchTool } from './tools/memory-search.js';
import { registerResultTool } from './tools/result.js';
import { registerResumeTool } from './tools/resume.js';
import { registerStartTool } from './tools/start.js';
import { registerStatusTool } from './tools/status.js';

export type { McpServerOptions } from './tool-kit.js';

/** The name clients see; Claude Code prefixes our tools with it (`mcp__<config name>__…`). */
export const MCP_SERVER_NAME = 'ai-orchestrator';

export function createMcpServer(service: TaskService, options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: options.version },
    {
      capabilities: { tools: {} },
      instructions:
        'Runs coding tasks through workflows of AI coding agents (implement → review → refine). ' +
        'orchestrator_execute waits for the end; orchestrator_start returns a task_id to follow with orchestrator_status, orchestrator_events and orchestrator_result.',
    },
  );
  const context = createToolContext(service, options);
  for (const register of [
    registerExecuteTool,
    registerStartTool,
    registerStatusTool,
    registerEventsTool,
    registerResultTool,
    registerCancelTool,
    registerResumeTool,
    registerListAgentsTool,
    registerListWorkflowsTool,
    registerHealthTool,
    registerMemorySearchTool,
  ]) {
    register(server, context);
  }
  return server;
}
