/** orchestrator_status: a task's state, its progress and the step running now. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { taskIdInput, taskStatusJson, taskStatusShape } from '../task-shapes.js';
import { structured, type ToolContext } from '../tool-kit.js';

export function registerStatusTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'orchestrator_status',
    {
      title: 'Task status',
      description: "A task's state (queued, in_progress, completed, failed, cancelled, interrupted, …), iterations so far and the step running now.",
      inputSchema: { task_id: taskIdInput },
      outputSchema: taskStatusShape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ task_id }) => structured(taskStatusJson(context.service.resolve(task_id))),
  );
}
