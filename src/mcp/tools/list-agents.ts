/** orchestrator_list_agents: the configured agents (the seed's shape) and whether each can run here. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describeAgents } from '../../adapters/describe-agents.js';
import { structured, type ToolContext } from '../tool-kit.js';

export function registerListAgentsTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'orchestrator_list_agents',
    {
      title: 'List agents',
      description: 'The configured agents with their role, type, whether they are enabled and can run here, and their circuit state.',
      inputSchema: {},
      outputSchema: {
        agents: z.array(
          z.object({
            name: z.string(),
            role: z.string(),
            type: z.string(),
            available: z.boolean(),
            enabled: z.boolean(),
            description: z.string(),
            circuit: z.enum(['closed', 'open', 'half_open']),
          }),
        ),
        count: z.number().int(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const agents = await describeAgents(context.service.config, { home: context.options.home });
      return structured({
        agents: agents.map((a) => ({
          name: a.name,
          role: a.role,
          type: a.type,
          available: a.available,
          enabled: a.enabled,
          description: a.description,
          circuit: a.health?.circuit ?? 'closed',
        })),
        count: agents.length,
      });
    },
  );
}
