/** orchestrator_list_workflows: the configured workflows and their steps (the seed's /api/workflows shape). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { listWorkflows } from '../../config/workflows.js';
import { structured, type ToolContext } from '../tool-kit.js';

export function registerListWorkflowsTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'orchestrator_list_workflows',
    {
      title: 'List workflows',
      description: 'The configured workflows (pass a name as `workflow` to orchestrator_execute or orchestrator_start) with their steps.',
      inputSchema: {},
      outputSchema: {
        workflows: z.array(
          z.object({
            name: z.string(),
            description: z.string(),
            offline: z.boolean(),
            steps: z.array(z.object({ agent: z.string(), task: z.string(), description: z.string(), fallback: z.string().nullable() })),
          }),
        ),
        count: z.number().int(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    () => {
      const workflows = listWorkflows(context.service.config).map((w) => ({
        name: w.name,
        description: w.description,
        offline: w.offline,
        steps: w.steps.map((s) => ({ agent: s.agent, task: s.role, description: s.description ?? '', fallback: s.fallback ?? null })),
      }));
      return structured({ workflows, count: workflows.length });
    },
  );
}
