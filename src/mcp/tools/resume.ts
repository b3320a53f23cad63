/** orchestrator_resume: continues a failed, cancelled or interrupted task after its last completed step. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { errorMessage } from '../../shared/errors.js';
import { taskIdInput } from '../task-shapes.js';
import { structured, type ToolContext } from '../tool-kit.js';
import { startedShape } from './start.js';

export function registerResumeTool(server: McpServer, context: ToolContext): void {
  const { service, options } = context;
  server.registerTool(
    'orchestrator_resume',
    {
      title: 'Resume a task',
      description:
        'Continues a failed, cancelled or interrupted task after its last completed step and returns at once; follow it like a started task.',
      inputSchema: { task_id: taskIdInput },
      outputSchema: startedShape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    ({ task_id }) => {
      const submitted = service.resume(task_id, { source: 'mcp' });
      submitted.done.catch((error: unknown) => options.logger.error(`task ${submitted.taskId} failed to resume: ${errorMessage(error)}`));
      return structured({ task_id: submitted.taskId, status: service.resolve(submitted.taskId).status });
    },
  );
}
