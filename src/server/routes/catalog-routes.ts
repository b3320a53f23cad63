/** What can run: /api/agents (with health) and /api/workflows (with their steps), in the seed's shapes. */
import { describeAgents } from '../../adapters/describe-agents.js';
import { listWorkflows } from '../../config/workflows.js';
import type { ServerContext } from '../server-context.js';

export function registerCatalogRoutes(context: ServerContext): void {
  context.api.route({
    method: 'GET',
    url: '/api/agents',
    summary: 'agents: enabled, role, availability, calls, success rate, circuit state, last failure',
    handler: async () => {
      const agents = await describeAgents(context.service.config, { home: context.home });
      return { agents };
    },
  });

  context.api.route({
    method: 'GET',
    url: '/api/workflows',
    summary: 'workflows and their steps',
    handler: () => ({
      workflows: listWorkflows(context.service.config).map((w) => ({
        name: w.name,
        description: w.description,
        offline: w.offline,
        steps: w.steps.map((s) => ({ agent: s.agent, task: s.role, description: s.description, fallback: s.fallback ?? null })),
      })),
    }),
  });
}
