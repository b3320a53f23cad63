/**
 * Liveness and readiness with per-component detail. Liveness: the process answers. Readiness:
 * the configuration is valid, at least one enabled agent can run here, and the state database
 * is writable. Every failed or doubtful check carries a fix hint a person can act on (which npm
 * package provides a missing CLI, which key Gemini needs, `ollama serve`). `doctor` prints it;
 * the web server will answer /health and /ready from the same functions.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentCommand, agentEndpoint, checkAgentAvailability } from '../adapters/availability.js';
import type { ProbeCache } from '../adapters/probe-cache.js';
import type { LoadedConfig } from '../config/load.js';
import type { AgentConfig } from '../config/schema.js';
import { resolveAdapterKind, type AdapterKind } from '../config/workflows.js';
import { createAgentHealthStore, healthJson } from '../resilience/agent-health-store.js';
import { errorMessage } from '../shared/errors.js';
import { databasePath, openDatabase } from '../storage/database.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  /** "config", "database", "agents", "agent:<name>". */
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about it (warn and fail only). */
  readonly fix?: string;
}

export interface Liveness {
  readonly status: 'ok';
  readonly pid: number;
  readonly uptimeSeconds: number;
}

export interface Readiness {
  /** config, database and "agents" (at least one usable) pass; per-agent checks are detail. */
  readonly ready: boolean;
  readonly checks: readonly HealthCheck[];
}

export function liveness(): Liveness {
  return { status: 'ok', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) };
}

/** npm packages of the coding CLIs, for "binary missing" hints. */
export const CLI_PACKAGES: Partial<Record<AdapterKind, string>> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  gemini: '@google/gemini-cli',
  copilot: '@github/copilot',
};

export interface ReadinessOptions {
  /** Loads (and validates) the configuration; throws (or rejects with) ConfigError when it is invalid. */
  readonly loadConfig: () => LoadedConfig | Promise<LoadedConfig>;
  /** $AI_ORCHESTRATOR_HOME: the database lives there. */
  readonly home: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  /** Probe timeout per HTTP agent. */
  readonly timeoutMs?: number;
  /** Remembered HTTP probe answers (a burst of commands probes each server once). */
  readonly probeCache?: ProbeCache;
}

export async function readiness(options: ReadinessOptions): Promise<Readiness> {
  const env = options.env ?? process.env;
  const checks: HealthCheck[] = [];
  let loaded: LoadedConfig | undefined;
  try {
    loaded = await options.loadConfig();
    checks.push({ name: 'config', status: 'pass', detail: `${loaded.source.path} (${loaded.source.kind})` });
  } catch (error) {
    checks.push({
      name: 'config',
      status: 'fail',
      detail: errorMessage(error),
      fix: 'fix the lines named above (`ai-orchestrator validate` shows every problem)',
    });
  }
  checks.push(checkDatabase(options.home));

  if (loaded) {
    const { config } = loaded;
    const store = openHealthIfExists(options.home);
    const enabled = Object.entries(config.agents).filter(([, agent]) => agent.enabled);
    const agentChecks = await Promise.all(
      enabled.map(([name, agent]) => checkAgent(name, agent, env, options, store?.(name))),
    );
    checks.push(...agentChecks);
    const usable = agentChecks.filter((c) => c.status !== 'fail').length;
    checks.push(
      usable > 0
        ? { name: 'agents', status: 'pass', detail: `${usable} of ${enabled.length} enabled agents available` }
        : {
            name: 'agents',
            status: 'fail',
            detail: enabled.length === 0 ? 'no agent is enabled' : 'no enabled agent is available here',
            fix: enabled.length === 0 ? 'enable an agent in agents.yaml (enabled: true)' : 'install or start one of the agents (hints above)',
          },
    );
  }
  // One missing agent does not make the orchestrator unready (the "agents" check sums them up).
  return { ready: checks.every((c) => c.status !== 'fail' || c.name.startsWith('agent:')), checks };
}

function checkDatabase(home: string): HealthCheck {
  const file = databasePath(home);
  try {
    const db = openDatabase(file);
    // Takes the write lock and gives it back: proves the file (and its WAL) can be written.
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return { name: 'database', status: 'pass', detail: `${file} is writable` };
  } catch (error) {
    return {
      name: 'database',
      status: 'fail',
      detail: `${file}: ${errorMessage(error)}`,
      fix: `make ${path.dirname(file)} writable, or point AI_ORCHESTRATOR_HOME at a writable directory`,
    };
  }
}

function openHealthIfExists(home: string): ((agent: string) => ReturnType<typeof healthJson>) | undefined {
  const file = databasePath(home);
  if (!existsSync(file)) return undefined;
  try {
    const store = createAgentHealthStore(openDatabase(file));
    return (agent) => healthJson(store.health(agent));
  } catch {
    return undefined;
  }
}

async function checkAgent(
  name: string,
  agent: AgentConfig,
  env: NodeJS.ProcessEnv,
  options: ReadinessOptions,
  health: ReturnType<typeof healthJson> | undefined,
): Promise<HealthCheck> {
  const check = `agent:${name}`;
  const kind = resolveAdapterKind(agent);
  const availability = await checkAgentAvailability(agent, {
    ...(options.signal ? { signal: options.signal } : {}),
    timeoutMs: options.timeoutMs ?? 1500,
    ...(options.probeCache ? { probeCache: options.probeCache } : {}),
    ...(env['PATH'] !== undefined ? { pathVariable: env['PATH'] } : {}),
  });
  if (!availability.available) {
    return { name: check, status: 'fail', detail: availability.detail, fix: missingHint(kind, agent).replaceAll('agents.<name>', `agents.${name}`) };
  }
  if (kind === 'gemini' && !geminiAuthConfigured(agent, env)) {
    return {
      name: check,
      status: 'warn',
      detail: `${availability.detail}, but no Gemini authentication is configured`,
      fix:
        `set GEMINI_API_KEY in your environment or in agents.${name}.env.GEMINI_API_KEY (Vertex: GOOGLE_API_KEY + GOOGLE_GENAI_USE_VERTEXAI=true), ` +
        'or sign in once with `gemini` and set security.auth.selectedType in ~/.gemini/settings.json',
    };
  }
  if (health?.circuit === 'open') {
    return {
      name: check,
      status: 'warn',
      detail: `${availability.detail}; circuit open until ${health.open_until ?? '?'} (last failure: ${health.last_failure_kind ?? 'unknown'})`,
      fix: 'it is skipped (its fallback runs) until the recovery timeout passes; check the provider or your network',
    };
  }
  return { name: check, status: 'pass', detail: availability.detail };
}

function missingHint(kind: AdapterKind, agent: AgentConfig): string {
  const pkg = CLI_PACKAGES[kind];
  if (pkg) {
    const command = agentCommand(agent) ?? kind;
    return `install it: npm install -g ${pkg} (or set agents.<name>.command to where ${command} lives)`;
  }
  const endpoint = agentEndpoint(agent) ?? '';
  switch (kind) {
    case 'ollama':
      return `start Ollama: \`ollama serve\` (expected at ${endpoint})${agent.model ? `, then \`ollama pull ${agent.model}\`` : ''}`;
    case 'llamacpp':
      return `start llama-server with a model (expected at ${endpoint}): \`llama-server -m <model.gguf> --port ${portOf(endpoint) ?? 8080}\``;
    case 'openai-compatible':
      return `start the OpenAI-compatible server (expected at ${endpoint}) or fix agents.<name>.endpoint`;
    case 'embedded':
      return 'set agents.<name>.model to a model file';
    case 'generic':
    case 'claude':
    case 'codex':
    case 'gemini':
    case 'copilot':
      return `install ${agentCommand(agent) ?? 'the command'} or fix agents.<name>.command`;
  }
}

function portOf(url: string): string | undefined {
  try {
    return new URL(url).port || undefined;
  } catch {
    return undefined;
  }
}

/** Gemini CLI's settings.json names the signed-in auth type at security.auth.selectedType. */
function hasSelectedAuthType(settings: unknown): boolean {
  const security = typeof settings === 'object' && settings !== null ? (settings as { security?: unknown }).security : undefined;
  const auth = typeof security === 'object' && security !== null ? (security as { auth?: unknown }).auth : undefined;
  const selected = typeof auth === 'object' && auth !== null ? (auth as { selectedType?: unknown }).selectedType : undefined;
  return typeof selected === 'string' && selected.length > 0;
}

/** An API key (env or the agent's env), Vertex/GCA switches, or a selected auth type in settings.json. */
export function geminiAuthConfigured(agent: Pick<AgentConfig, 'env'>, env: NodeJS.ProcessEnv): boolean {
  const keys = ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA'];
  if (keys.some((key) => (env[key] ?? '') !== '' || (agent.env[key] ?? '') !== '')) return true;
  const home = env['GEMINI_CLI_HOME'] ?? env['HOME'] ?? os.homedir();
  const file = path.join(home, '.gemini', 'settings.json');
  if (!existsSync(file)) return false;
  try {
    return hasSelectedAuthType(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return false;
  }
}
