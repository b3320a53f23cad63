/** orchestrator_cancel: stops a task (here or in another process) and its agents; it ends `cancelled`. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { TASK_STATUSES } from '../../tasks/task-state.js';
import { taskIdInput } from '../task-shapes.js';
import { structured, type ToolContext } from '../tool-kit.js';

export function registerCancelTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'orchestrator_cancel',
    {
      title: 'Cancel a task',
      description: "Cancels a running or queued task: its agents' processes are stopped and it ends cancelled (orchestrator_resume continues it later).",
      inputSchema: { task_id: taskIdInput },
      outputSchema: {
        task_id: z.string(),
        status: z.enum(TASK_STATUSES).describe('the state after the cancel, or the one it had already ended in'),
        cancelled: z.boolean().describe('false when the task had already ended'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ task_id }) => {
      const result = await context.service.cancel(task_id);
      return structured({ task_id: result.taskId, status: result.status, cancelled: result.cancelled });
    },
  );
}
