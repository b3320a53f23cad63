/** orchestrator_result: the seed's result of a task that has ended (or its state while it runs). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isFinal } from '../../tasks/task-state.js';
import { taskIdInput, taskResultJson, taskResultShape } from '../task-shapes.js';
import { structured, type ToolContext } from '../tool-kit.js';

export function registerResultTool(server: McpServer, context: ToolContext): void {
  const { service } = context;
  server.registerTool(
    'orchestrator_result',
    {
      title: 'Task result',
      description:
        "A task's result: success, workflow, iterations, steps, final_output. While the task still runs, finished is false and the result so far is given.",
      inputSchema: { task_id: taskIdInput },
      outputSchema: { ...taskResultShape, finished: z.boolean() },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ task_id }) => {
      const task = service.resolve(task_id);
      const finished = isFinal(task.status);
      return structured({
        ...taskResultJson({
          taskId: task.id,
          workflow: task.workflow,
          status: task.status,
          success: task.success ?? false,
          iterations: task.iterations,
          steps: service.steps(task.id),
          finalOutput: task.finalOutput ?? '',
          reason: task.reason ?? (finished ? '' : `the task is ${task.status.replace('_', ' ')}`),
        }),
        finished,
      });
    },
  );
}
