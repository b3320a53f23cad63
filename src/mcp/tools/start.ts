/** orchestrator_start: starts a task and answers at once with its id (for clients that cannot wait). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { errorMessage } from '../../shared/errors.js';
import { TASK_STATUSES } from '../../tasks/task-state.js';
import { taskInputShape, taskRequest } from '../task-shapes.js';
import { structured, type ToolContext } from '../tool-kit.js';

export const startedShape = { task_id: z.string(), status: z.enum(TASK_STATUSES) };

export function registerStartTool(server: McpServer, context: ToolContext): void {
  const { service, options } = context;
  server.registerTool(
    'orchestrator_start',
    {
      title: 'Start a task',
      description:
        'Starts a coding task through a workflow and returns its task_id at once. Follow it with orchestrator_status, ' +
        'orchestrator_events and orchestrator_result; stop it with orchestrator_cancel. It is an ordinary task: `ai-orchestrator tasks list` shows it.',
      inputSchema: taskInputShape,
      outputSchema: startedShape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (input) => {
      const submitted = service.submit(taskRequest(input));
      submitted.done.catch((error: unknown) => options.logger.error(`task ${submitted.taskId} failed to run: ${errorMessage(error)}`));
      return structured({ task_id: submitted.taskId, status: service.resolve(submitted.taskId).status });
    },
  );
}
