/**
 * The fixture CLI (test/fixtures/bin/fake-cli.mjs) and helpers to run it as a configured agent,
 * the way users do: an agents.yaml slice → the registry → runAgent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { createAdapter } from '../../src/adapters/registry.js';
import { runAgent, type RunAgentOptions } from '../../src/adapters/run-agent.js';
import type { AgentAdapterV1, AgentResult } from '../../src/adapters/spec.js';
import { parseConfigText } from '../../src/config/load.js';
import type { Role } from '../../src/shared/roles.js';
import { REPO_ROOT } from './cli.js';

export const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');

/** Builds an adapter from one agent's YAML fields, through the real config schema. */
export function adapterFromYaml(agent: Record<string, unknown>, name = 'fake'): AgentAdapterV1 {
  const config = parseConfigText(stringify({ agents: { [name]: agent } }), 'agents.yaml');
  const agentConfig = config.agents[name];
  if (!agentConfig) throw new Error('agent missing from parsed config');
  return createAdapter({ name, agent: agentConfig });
}

/** A generic agent running the fixture with the given FAKE_* environment. */
export function fakeAgent(env: Record<string, string>, extra: Record<string, unknown> = {}): AgentAdapterV1 {
  return adapterFromYaml({ type: 'generic', command: FAKE_CLI, env, ...extra });
}

export function runFake(
  adapter: AgentAdapterV1,
  prompt: string,
  cwd: string,
  options: RunAgentOptions & { role?: Role } = {},
): Promise<AgentResult> {
  return runAgent(adapter, { prompt, cwd, role: options.role ?? 'implement' }, options);
}

/** True while a process with this pid exists (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    // Field 3 is the state; Z = zombie (exited, not yet reaped).
    return !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

/** Reads a pid a fixture wrote, waiting briefly for the file to appear. */
export async function readPid(file: string, waitMs = 5000): Promise<number> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (text) return Number(text);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no pid in ${file}`);
}

/** Waits until the pid is gone, up to waitMs; returns whether it went. */
export async function waitGone(pid: number, waitMs = 3000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !isAlive(pid);
}
