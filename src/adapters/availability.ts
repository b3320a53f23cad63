/**
 * Whether an agent can run here: a CLI agent's command is on PATH; an HTTP agent's endpoint
 * answers its health path within a short timeout; an embedded agent's model file is readable and
 * node-llama-cpp is installed (resolved, not loaded). Used by `agents`, `validate` and adapters.
 */
import type { AgentConfig } from '../config/schema.js';
import { resolveAdapterKind, type AdapterKind } from '../config/workflows.js';
import { findExecutable } from '../process/find-executable.js';
import type { ProbeCache } from './probe-cache.js';
import type { Availability } from './spec.js';

const DEFAULT_COMMANDS: Partial<Record<AdapterKind, string>> = {
  claude: 'claude',
  codex: 'codex',
  gemini: 'gemini',
  copilot: 'copilot',
};

const DEFAULT_ENDPOINTS: Partial<Record<AdapterKind, string>> = {
  ollama: 'http://localhost:11434',
  llamacpp: 'http://localhost:8080',
  'openai-compatible': 'http://localhost:8000/v1',
};

const HEALTH_PATHS: Partial<Record<AdapterKind, string>> = {
  ollama: '/api/version',
  llamacpp: '/health',
  'openai-compatible': '/models',
};

export function agentCommand(agent: AgentConfig): string | undefined {
  return agent.command ?? DEFAULT_COMMANDS[resolveAdapterKind(agent)];
}

export function agentEndpoint(agent: AgentConfig): string | undefined {
  return (agent.endpoint ?? DEFAULT_ENDPOINTS[resolveAdapterKind(agent)])?.replace(/\/+$/, '');
}

export async function checkAgentAvailability(
  agent: AgentConfig,
  options: { signal?: AbortSignal; timeoutMs?: number; pathVariable?: string; probeCache?: ProbeCache } = {},
): Promise<Availability> {
  const kind = resolveAdapterKind(agent);
  const endpoint = agentEndpoint(agent);
  const healthPath = HEALTH_PATHS[kind];
  if (endpoint && healthPath) {
    const url = `${endpoint}${healthPath}`;
    // The HTTP client loads only when an agent has an endpoint to probe.
    const { probeHttp } = await import('./http-probe.js');
    if (!options.probeCache) return probeHttp(url, options);
    // A cancelled probe says nothing about the server: not remembered.
    return options.probeCache.answer(url, () => probeHttp(url, options), () => !options.signal?.aborted);
  }
  if (kind === 'embedded') {
    // Loaded only when an embedded agent is configured (its settings module brings zod).
    const { checkEmbeddedAvailability } = await import('./embedded/embedded-availability.js');
    return checkEmbeddedAvailability(agent);
  }
  const command = agentCommand(agent);
  if (!command) return { available: false, detail: 'no command configured' };
  const found = findExecutable(command, options.pathVariable ?? process.env['PATH']);
  return found ? { available: true, detail: found } : { available: false, detail: `${command} not found on PATH` };
}
