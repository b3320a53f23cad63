/**
 * orchestrator_health: the seed's health answer (status, agents, agent_names, workflows,
 * offline_mode, timestamp) — `degraded` when no enabled agent can run here — plus the tasks
 * this server runs now.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describeAgents } from '../../adapters/describe-agents.js';
import { structured, type ToolContext } from '../tool-kit.js';

export function registerHealthTool(server: McpServer, context: ToolContext): void {
  const { service } = context;
  server.registerTool(
    'orchestrator_health',
    {
      title: 'Health',
      description: 'Whether the orchestrator can run tasks here: enabled agents, how many of them can run, workflows, offline mode, tasks running.',
      inputSchema: {},
      outputSchema: {
        status: z.enum(['healthy', 'degraded']).describe('degraded: no enabled agent can run here'),
        agents: z.number().int().describe('enabled agents'),
        agent_names: z.array(z.string()),
        available_agents: z.array(z.string()).describe('enabled agents that can run here'),
        workflows: z.array(z.string()),
        offline_mode: z.boolean(),
        running_tasks: z.number().int(),
        timestamp: z.string(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const config = service.config;
      const enabled = (await describeAgents(config)).filter((a) => a.enabled);
      const available = enabled.filter((a) => a.available).map((a) => a.name);
      return structured({
        status: available.length > 0 ? 'healthy' : 'degraded',
        agents: enabled.length,
        agent_names: enabled.map((a) => a.name),
        available_agents: available,
        workflows: Object.keys(config.workflows),
        offline_mode: config.settings.offline.enabled,
        running_tasks: service.running().length,
        timestamp: new Date().toISOString(),
      });
    },
  );
}
