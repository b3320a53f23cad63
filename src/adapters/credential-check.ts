/**
 * Does an agent have credentials here? Cheap on purpose: a variable set in the environment the
 * agent would get, or the file its CLI keeps a sign-in in — no model call, no network. It cannot
 * tell whether a key is still valid; recorded auth failures say that (doctor shows both).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { AgentConfig } from '../config/schema.js';
import { resolveAdapterKind } from '../config/workflows.js';
import { buildAgentEnv } from '../security/agent-env.js';
import { CLI_CREDENTIALS, authFix, isCliKind } from './failure-fixes.js';

export interface CredentialCheck {
  readonly found: boolean;
  /** What was found, or what was looked for. */
  readonly detail: string;
  /** When not found: how to sign in or which variable to set. */
  readonly fix?: string;
}

/** Undefined for agents that need no credentials (Ollama, llama-server without a key, generic, embedded). */
export function checkCredentials(name: string, agent: AgentConfig, env: NodeJS.ProcessEnv): CredentialCheck | undefined {
  const kind = resolveAdapterKind(agent);
  const fix = authFix(name, agent);
  if (isCliKind(kind)) {
    // The environment the CLI would run with: its provider's variables and the agent's own `env`.
    const agentEnv = buildAgentEnv({ kind, extra: agent.env, source: env });
    const spec = CLI_CREDENTIALS[kind];
    const variable = spec.variables.find((v) => (agentEnv[v] ?? '') !== '');
    if (variable) return { found: true, detail: `${variable} is set` };
    const home = agentEnv['HOME'] ?? os.homedir();
    const files = spec.signInFiles(agentEnv, home);
    const signedIn = files.find((f) => holdsSignIn(f.file, f.holds));
    if (signedIn) return { found: true, detail: `signed in (${signedIn.file})` };
    const looked = `no ${orList(spec.variables)} set, and no sign-in in ${files.map((f) => f.file).join(' or ')}`;
    return { found: false, detail: spec.unseen ? `${looked} (${spec.unseen})` : looked, ...(fix ? { fix } : {}) };
  }
  if ((kind === 'openai-compatible' || kind === 'llamacpp') && agent.api_key_env) {
    return (env[agent.api_key_env] ?? '') !== ''
      ? { found: true, detail: `${agent.api_key_env} is set` }
      : { found: false, detail: `${agent.api_key_env} (api_key_env) is not set: every call will fail`, ...(fix ? { fix } : {}) };
  }
  return undefined;
}

function holdsSignIn(file: string, holds: ((text: string) => boolean) | undefined): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return holds ? holds(text) : text.trim() !== '';
}

function orList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}
