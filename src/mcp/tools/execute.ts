/**
 * orchestrator_execute: runs a task to its end and answers with the seed's result. While it runs,
 * a client that sent a progress token gets a notification per finished step; a client that
 * cancels the request (notifications/cancelled) or closes the connection cancels the task, which
 * stops its agents' process groups.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { errorMessage } from '../../shared/errors.js';
import { taskInputShape, taskRequest, taskResultJson, taskResultShape } from '../task-shapes.js';
import { structured, type ToolContext } from '../tool-kit.js';
import { reportStepProgress } from './step-progress.js';

export function registerExecuteTool(server: McpServer, context: ToolContext): void {
  const { service, options } = context;
  server.registerTool(
    'orchestrator_execute',
    {
      title: 'Run a task to the end',
      description:
        'Runs a coding task through a workflow of agents (implement → review → refine until the review converges) and waits for the end. ' +
        'Sends a progress notification per step when given a progress token; cancelling the request cancels the task. ' +
        'For long tasks, orchestrator_start plus orchestrator_status/_events/_result does the same without holding the call open.',
      inputSchema: taskInputShape,
      outputSchema: taskResultShape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async (input, extra) => {
      const submitted = service.submit(taskRequest(input));
      const cancelTask = (): void => {
        options.logger.info(`MCP request for task ${submitted.taskId.slice(0, 8)} cancelled by the client: cancelling the task`);
        service.cancel(submitted.taskId).catch((error: unknown) => options.logger.error(`could not cancel task ${submitted.taskId}: ${errorMessage(error)}`));
      };
      if (extra.signal.aborted) cancelTask();
      else extra.signal.addEventListener('abort', cancelTask, { once: true });
      const token = extra._meta?.progressToken;
      const progress =
        token === undefined
          ? Promise.resolve()
          : reportStepProgress(service, submitted.taskId, (params) => extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...params } }), options.logger);
      try {
        const result = await submitted.done;
        await progress;
        return structured(taskResultJson({ ...result, steps: result.steps }));
      } finally {
        extra.signal.removeEventListener('abort', cancelTask);
      }
    },
  );
}
