/**
 * Liveness and readiness with per-component detail. Liveness: the process answers. Readiness:
 * the configuration is valid, at least one enabled agent can run here, and the state database
 * is writable. Every failed or doubtful check carries a fix hint a person can act on (which npm
 * package provides a missing CLI, how to sign in or which variable to set, `ollama serve`), taken
 * from the one table of fixes (adapters/failure-fixes.ts). Credentials are checked cheaply (a
 * variable set, a sign-in file present) and against the recorded auth failures. `doctor` prints
 * it; the web server answers /health and /ready from the same functions.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkAgentAvailability } from '../adapters/availability.js';
import { checkCredentials } from '../adapters/credential-check.js';
import { authFix, unavailableFix } from '../adapters/failure-fixes.js';
import type { ProbeCache } from '../adapters/probe-cache.js';
import type { LoadedConfig } from '../config/load.js';
import type { AgentConfig } from '../config/schema.js';
import { createAgentHealthStore, healthJson, type AgentHealthStore } from '../resilience/agent-health-store.js';
import { errorMessage } from '../shared/errors.js';
import { databasePath, openDatabase } from '../storage/database.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  /** "config", "database", "agents", "agent:<name>", "credentials:<name>" (never more than a warning). */
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
    const agentChecks = await Promise.all(enabled.map(([name, agent]) => checkAgent(name, agent, options, store)));
    checks.push(...agentChecks);
    for (const [name, agent] of enabled) {
      const credentials = credentialCheck(name, agent, env, store);
      if (credentials) checks.push(credentials);
    }
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

function openHealthIfExists(home: string): AgentHealthStore | undefined {
  const file = databasePath(home);
  if (!existsSync(file)) return undefined;
  try {
    return createAgentHealthStore(openDatabase(file));
  } catch {
    return undefined;
  }
}

async function checkAgent(name: string, agent: AgentConfig, options: ReadinessOptions, store: AgentHealthStore | undefined): Promise<HealthCheck> {
  const check = `agent:${name}`;
  const env = options.env ?? process.env;
  const availability = await checkAgentAvailability(agent, {
    ...(options.signal ? { signal: options.signal } : {}),
    timeoutMs: options.timeoutMs ?? 1500,
    ...(options.probeCache ? { probeCache: options.probeCache } : {}),
    ...(env['PATH'] !== undefined ? { pathVariable: env['PATH'] } : {}),
  });
  if (!availability.available) return { name: check, status: 'fail', detail: availability.detail, fix: unavailableFix(name, agent) };
  const health = store ? healthJson(store.health(name)) : undefined;
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

/**
 * An agent's credentials: present (a variable or a sign-in file) and not rejected since its last
 * success. Recorded auth failures win over a present key: the key is there but refused.
 */
function credentialCheck(name: string, agent: AgentConfig, env: NodeJS.ProcessEnv, store: AgentHealthStore | undefined): HealthCheck | undefined {
  const check = `credentials:${name}`;
  const failures = store?.failuresSinceSuccess(name, 'auth');
  const credentials = checkCredentials(name, agent, env);
  if (failures && failures.count > 0) {
    const fix = authFix(name, agent);
    const task = failures.taskId ? ` (task ${failures.taskId.slice(0, 8)})` : '';
    const found = credentials?.found ? `${credentials.detail}, but ` : '';
    return {
      name: check,
      status: 'warn',
      detail: `${found}${failures.count === 1 ? '1 auth failure' : `${failures.count} auth failures`} since its last success, the last at ${failures.lastAt ?? '?'}${task}`,
      ...(fix ? { fix } : {}),
    };
  }
  if (!credentials) return undefined;
  return credentials.found
    ? { name: check, status: 'pass', detail: credentials.detail }
    : { name: check, status: 'warn', detail: credentials.detail, ...(credentials.fix ? { fix: credentials.fix } : {}) };
}
