/** The agents listing shared by `agents`, `validate`, the web UI and MCP. */
import { existsSync } from 'node:fs';
import type { OrchestratorConfig } from '../config/schema.js';
import type { AgentHealthJson } from '../resilience/agent-health-store.js';
import { databasePath } from '../storage/database-path.js';
import { checkAgentAvailability } from './availability.js';
import { failureFix } from './failure-fixes.js';
import type { ProbeCache } from './probe-cache.js';

/** Recorded health, with what to do about the last failure (from the one table of fixes). */
export interface AgentHealthView extends AgentHealthJson {
  readonly last_failure_fix: string | null;
}

/** An agent with no recorded calls and a closed circuit. */
export const NO_HEALTH_RECORD: AgentHealthView = {
  calls: 0,
  success_rate: null,
  last_failure_kind: null,
  last_failure_fix: null,
  circuit: 'closed',
  open_until: null,
};

export interface AgentDescription {
  readonly name: string;
  readonly type: string;
  readonly role: string;
  readonly enabled: boolean;
  readonly available: boolean;
  readonly availability: string;
  readonly description: string;
  /** Recorded calls and circuit state (present when a home directory is given). */
  readonly health?: AgentHealthView;
}

export interface DescribeAgentsOptions {
  /** Where the database is: with it, each agent's recorded health is included. */
  readonly home?: string;
  /** Remembered HTTP probe answers (a burst of commands probes each server once). */
  readonly probeCache?: ProbeCache;
}

/** Every configured agent with its availability, checked in parallel. */
export async function describeAgents(config: OrchestratorConfig, options: DescribeAgentsOptions = {}): Promise<AgentDescription[]> {
  const health = options.home === undefined ? undefined : await healthLookup(options.home, config);
  return Promise.all(
    Object.entries(config.agents).map(async ([name, agent]) => {
      const availability = await checkAgentAvailability(agent, options.probeCache ? { probeCache: options.probeCache } : {});
      return {
        name,
        type: agent.type,
        role: agent.role ?? '',
        enabled: agent.enabled,
        available: availability.available,
        availability: availability.detail,
        description: agent.description,
        ...(health ? { health: health(name) } : {}),
      };
    }),
  );
}

/**
 * Health from the database — opened only if it already exists (listing agents never creates
 * state); the storage modules load only when a home is given.
 */
async function healthLookup(home: string, config: OrchestratorConfig): Promise<(agent: string) => AgentHealthView> {
  const file = databasePath(home);
  if (!existsSync(file)) return () => NO_HEALTH_RECORD;
  const [{ openDatabase }, { createAgentHealthStore, healthJson }, { resolvePolicy }] = await Promise.all([
    import('../storage/database.js'),
    import('../resilience/agent-health-store.js'),
    import('../resilience/policy.js'),
  ]);
  const store = createAgentHealthStore(openDatabase(file));
  return (agent) => {
    const agentConfig = Object.hasOwn(config.agents, agent) ? config.agents[agent] : undefined;
    const policy = resolvePolicy(config.settings.resilience, agentConfig);
    const health = healthJson(store.health(agent), Date.now(), policy.breaker.recoveryTimeoutMs);
    const fix = health.last_failure_kind && agentConfig ? failureFix(health.last_failure_kind, agent, agentConfig) : undefined;
    return { ...health, last_failure_fix: fix ?? null };
  };
}
