/**
 * The local model backends a configuration uses, one per (type, URL) however many agents share
 * it, and their live status — what `models status|list` print. Ollama is probed with
 * /api/version + /api/tags, llama-server with /health (503 = loading) + /v1/models, an
 * OpenAI-compatible server with {endpoint}/models.
 */
import type { AgentConfig, OrchestratorConfig } from '../../config/schema.js';
import { isHttpAgent, resolveAdapterKind } from '../../config/workflows.js';
import { errorMessage } from '../../shared/errors.js';
import { neverConnected, unreachableMessage } from '../../shared/unreachable.js';
import { agentEndpoint } from '../availability.js';
import { pullFix, startServerFix } from '../failure-fixes.js';
import { DEFAULT_LLAMA_SERVER_ENDPOINT, llamaServerBase } from '../llama-cpp/index.js';
import { llamaServerHealth } from '../llama-cpp/llama-server-api.js';
import { createOllamaClient, type InstalledModel } from '../ollama/ollama-api.js';
import { DEFAULT_OLLAMA_ENDPOINT } from '../ollama/index.js';
import { bearerFromEnv } from '../openai-compatible/chat-stream.js';
import { DEFAULT_OPENAI_COMPATIBLE_ENDPOINT } from '../openai-compatible/index.js';
import { listOpenAIModels } from '../openai-compatible/models-api.js';
import { joinUrl } from './request.js';

export type BackendType = 'ollama' | 'llamacpp' | 'openai-compatible';

export interface LocalBackend {
  readonly type: BackendType;
  /** Normalised base URL (no trailing slash; llama-server without /v1). */
  readonly url: string;
  /** Every configured agent using it. */
  readonly agents: readonly string[];
  /** The enabled ones among them. */
  readonly enabledAgents: readonly string[];
  /** The model each agent asks for (agents without a `model` are left out). */
  readonly agentModels?: Readonly<Record<string, string>>;
  /** The env var holding an API key, when an agent names one. */
  readonly apiKeyEnv?: string;
}

/** A model configured for agents that the backend does not have (Ollama: not pulled). */
export interface MissingModel {
  readonly model: string;
  readonly agents: readonly string[];
  readonly fix: string;
}

export interface BackendStatus {
  readonly type: BackendType;
  readonly url: string;
  readonly online: boolean;
  /** llama-server answered 503 on /health: up, still loading its model. */
  readonly loading: boolean;
  readonly version?: string;
  readonly models: readonly InstalledModel[];
  readonly agents: readonly string[];
  readonly enabledAgents: readonly string[];
  /** Why it is down (with the URL). */
  readonly error?: string;
  /** What to do about it being down (`ollama serve`, …). */
  readonly fix?: string;
  /** Configured models it does not have (checked on Ollama, whose models are pulled by name). */
  readonly missingModels: readonly MissingModel[];
}

export const BACKEND_LABELS: Readonly<Record<BackendType, string>> = {
  ollama: 'Ollama',
  llamacpp: 'llama-server',
  'openai-compatible': 'OpenAI-compatible',
};

export function backendOf(agent: AgentConfig): { type: BackendType; url: string } | undefined {
  if (!isHttpAgent(agent)) return undefined;
  const kind = resolveAdapterKind(agent);
  switch (kind) {
    case 'ollama':
      return { type: 'ollama', url: agentEndpoint(agent) ?? DEFAULT_OLLAMA_ENDPOINT };
    case 'llamacpp':
      return { type: 'llamacpp', url: llamaServerBase(agentEndpoint(agent) ?? DEFAULT_LLAMA_SERVER_ENDPOINT) };
    case 'openai-compatible':
      return { type: 'openai-compatible', url: agentEndpoint(agent) ?? DEFAULT_OPENAI_COMPATIBLE_ENDPOINT };
    case 'claude':
    case 'codex':
    case 'gemini':
    case 'copilot':
    case 'generic':
    case 'embedded':
      return undefined;
  }
}

/** Configured local backends, deduplicated by type and URL, in config order. */
export function collectLocalBackends(config: OrchestratorConfig): LocalBackend[] {
  const byKey = new Map<
    string,
    { type: BackendType; url: string; agents: string[]; enabledAgents: string[]; agentModels: Record<string, string>; apiKeyEnv?: string }
  >();
  for (const [name, agent] of Object.entries(config.agents)) {
    const backend = backendOf(agent);
    if (!backend) continue;
    const key = `${backend.type} ${backend.url}`;
    const entry = byKey.get(key) ?? { ...backend, agents: [], enabledAgents: [], agentModels: {} };
    entry.agents.push(name);
    if (agent.enabled) entry.enabledAgents.push(name);
    if (agent.model) entry.agentModels[name] = agent.model;
    if (agent.api_key_env && !entry.apiKeyEnv) entry.apiKeyEnv = agent.api_key_env;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

export function normalizeBackendUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Probes one backend; never throws (a down backend is a status with `online: false`). */
export async function probeBackend(backend: LocalBackend, options: { signal?: AbortSignal } = {}): Promise<BackendStatus> {
  const base = { type: backend.type, url: backend.url, agents: backend.agents, enabledAgents: backend.enabledAgents, missingModels: [] };
  const auth = bearerFromEnv(backend.apiKeyEnv);
  const headers = 'headers' in auth ? auth.headers : {};
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    switch (backend.type) {
      case 'ollama': {
        const client = createOllamaClient(backend.url);
        const version = await client.version(options.signal);
        const models = await client.listModels(options.signal);
        return { ...base, online: true, loading: false, version, models, missingModels: missingOllamaModels(backend, models) };
      }
      case 'llamacpp': {
        const health = await llamaServerHealth(backend.url, { ...signal, headers });
        const ids = await listOpenAIModels(joinUrl(backend.url, '/v1'), { ...signal, headers }).catch(() => []);
        return { ...base, online: true, loading: health === 'loading', models: ids.map((name) => ({ name })) };
      }
      case 'openai-compatible': {
        const ids = await listOpenAIModels(backend.url, { ...signal, headers });
        return { ...base, online: true, loading: false, models: ids.map((name) => ({ name })) };
      }
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const target = `${BACKEND_LABELS[backend.type]} at ${backend.url}`;
    if (neverConnected(error)) return { ...base, online: false, loading: false, models: [], error: unreachableMessage(target, error), fix: startServerFix(backend.type) };
    return { ...base, online: false, loading: false, models: [], error: `${target}: ${errorMessage(error)}` };
  }
}

/** Ollama names a model without a tag as `:latest`; `llama3` and `llama3:latest` are one model. */
function ollamaName(model: string): string {
  return /:[^/]+$/.test(model) ? model : `${model}:latest`;
}

function missingOllamaModels(backend: LocalBackend, installed: readonly InstalledModel[]): MissingModel[] {
  const have = new Set(installed.map((m) => ollamaName(m.name)));
  const byModel = new Map<string, string[]>();
  for (const [agent, model] of Object.entries(backend.agentModels ?? {})) {
    if (have.has(ollamaName(model))) continue;
    byModel.set(model, [...(byModel.get(model) ?? []), agent]);
  }
  return [...byModel].map(([model, agents]) => ({ model, agents, fix: pullFix(model) }));
}
