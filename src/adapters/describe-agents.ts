/** The agents listing shared by `agents`, `validate`, the web UI and MCP. */
import type { OrchestratorConfig } from '../config/schema.js';
import { checkAgentAvailability } from './availability.js';

export interface AgentDescription {
  readonly name: string;
  readonly type: string;
  readonly role: string;
  readonly enabled: boolean;
  readonly available: boolean;
  readonly availability: string;
  readonly description: string;
}

export async function describeAgents(
  config: OrchestratorConfig,
  _options: { readonly home?: string } = {},
): Promise<AgentDescription[]> {
  return Promise.all(
    Object.entries(config.agents).map(async ([name, agent]) => {
      const availability = await checkAgentAvailability(agent);
      return {
        name,
        type: agent.type,
        role: agent.role ?? '',
        enabled: agent.enabled,
        available: availability.available,
        availability: availability.detail,
        description: agent.description,
      };
    }),
  );
}
