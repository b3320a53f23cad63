/**
 * What a person does about a failed agent, as data: how each coding CLI signs in and which
 * variables authenticate it, which npm package provides it, and which server a local model
 * needs. Failures carry their fix (`AgentError.fix`, added as the adapter's events pass), so the
 * live failure line, `tasks show`, `test-agent`, `doctor` and the agents page all say the same.
 */
import path from 'node:path';
import type { AgentConfig } from '../config/schema.js';
import { resolveAdapterKind, type AdapterKind } from '../config/workflows.js';
import { agentCommand, agentEndpoint } from './availability.js';
import { INSTALL_HINT, nodeLlamaCppInstalled } from './embedded/model-file.js';
import type { AgentAdapterV1, AgentError, FailureKind } from './spec.js';

export type CliKind = 'claude' | 'codex' | 'gemini' | 'copilot';

/** A place a CLI keeps a sign-in; `holds` says whether the file's text really is one. */
export interface SignInFile {
  readonly file: string;
  readonly holds?: (text: string) => boolean;
}

export interface CliCredentials {
  /** Any one of these set (in our environment or the agent's `env`) authenticates the CLI. */
  readonly variables: readonly string[];
  /** Where its sign-in is kept, from the environment the CLI runs with. */
  readonly signInFiles: (env: NodeJS.ProcessEnv, home: string) => readonly SignInFile[];
  /** How to sign in, as a person types it. */
  readonly signIn: string;
  /** Where the sign-in may be that a file check cannot see. */
  readonly unseen?: string;
}

export const CLI_CREDENTIALS: Readonly<Record<CliKind, CliCredentials>> = {
  claude: {
    variables: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'],
    signInFiles: (env, home) => [{ file: path.join(env['CLAUDE_CONFIG_DIR'] ?? path.join(home, '.claude'), '.credentials.json') }],
    signIn: 'sign in once: run `claude` and type /login',
  },
  codex: {
    variables: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
    signInFiles: (env, home) => [{ file: path.join(env['CODEX_HOME'] ?? path.join(home, '.codex'), 'auth.json') }],
    signIn: 'run `codex login`',
  },
  gemini: {
    variables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA'],
    signInFiles: (env, home) => {
      const dir = path.join(env['GEMINI_CLI_HOME'] ?? home, '.gemini');
      return [{ file: path.join(dir, 'settings.json'), holds: hasSelectedAuthType }, { file: path.join(dir, 'oauth_creds.json') }];
    },
    signIn: 'sign in once: run `gemini` and choose how (it records security.auth.selectedType in ~/.gemini/settings.json)',
  },
  copilot: {
    variables: ['GH_TOKEN', 'GITHUB_TOKEN', 'COPILOT_PROVIDER_API_KEY', 'COPILOT_PROVIDER_BEARER_TOKEN'],
    signInFiles: (env, home) => [{ file: path.join(env['COPILOT_HOME'] ?? path.join(home, '.copilot'), 'config.json') }],
    signIn: 'sign in once: run `copilot` and type /login',
    unseen: 'a sign-in kept in the system keychain cannot be seen without running copilot',
  },
};

/** npm packages of the coding CLIs, for "not installed" fixes. */
export const CLI_PACKAGES: Readonly<Record<CliKind, string>> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  gemini: '@google/gemini-cli',
  copilot: '@github/copilot',
};

export function isCliKind(kind: AdapterKind): kind is CliKind {
  return Object.hasOwn(CLI_CREDENTIALS, kind);
}

/** The variable a person is told to set first, per CLI (the others are alternatives). */
const MAIN_VARIABLE: Readonly<Record<CliKind, string>> = {
  claude: 'ANTHROPIC_API_KEY',
  codex: 'OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY (Vertex AI: GOOGLE_API_KEY with GOOGLE_GENAI_USE_VERTEXAI=true)',
  copilot: 'GH_TOKEN (a token with the "Copilot Requests" permission)',
};

/** The fix for a rejected or missing credential of this agent. */
export function authFix(name: string, agent: AgentConfig): string | undefined {
  const kind = resolveAdapterKind(agent);
  if (isCliKind(kind)) {
    return `${CLI_CREDENTIALS[kind].signIn}, or set ${MAIN_VARIABLE[kind]} in your environment or in agents.${name}.env`;
  }
  switch (kind) {
    case 'openai-compatible':
    case 'llamacpp':
      return agent.api_key_env
        ? `set ${agent.api_key_env} to the server's API key (agents.${name}.api_key_env names that variable)`
        : `the server wants an API key: put it in an environment variable and name that variable in agents.${name}.api_key_env`;
    case 'ollama':
      return `Ollama has no sign-in, so something in front of it refused: point agents.${name}.endpoint at the Ollama server itself`;
    case 'generic':
      return `sign ${agentCommand(agent) ?? 'the command'} in, or give it its key through agents.${name}.env`;
    case 'embedded':
      return undefined;
  }
}

/** How to start a local model server of this kind (no URL: fixes are stored with the step). */
export function startServerFix(kind: 'ollama' | 'llamacpp' | 'openai-compatible'): string {
  switch (kind) {
    case 'ollama':
      return 'start it: `ollama serve`';
    case 'llamacpp':
      return 'start it with a model: `llama-server -m <model.gguf>`';
    case 'openai-compatible':
      return 'start the server (LM Studio, vLLM, LocalAI, …), or fix the endpoint';
  }
}

/** How to get a model Ollama does not have. */
export function pullFix(model: string): string {
  return `\`ollama pull ${model}\` (or \`ai-orchestrator models pull ${model}\`)`;
}

function startServer(kind: AdapterKind): string | undefined {
  return kind === 'ollama' || kind === 'llamacpp' || kind === 'openai-compatible' ? startServerFix(kind) : undefined;
}

/** The fix for an agent that cannot run here: install the CLI, start the server, name the model file. */
export function unavailableFix(name: string, agent: AgentConfig): string {
  const kind = resolveAdapterKind(agent);
  if (isCliKind(kind)) {
    return `install it: npm install -g ${CLI_PACKAGES[kind]} (or set agents.${name}.command to where ${agentCommand(agent) ?? kind} lives)`;
  }
  if (kind === 'embedded') {
    if (agent.model === undefined) return `set agents.${name}.model to a .gguf model file`;
    return nodeLlamaCppInstalled() ? `check agents.${name}.model: it must be a readable .gguf file` : `node-llama-cpp is not installed; ${INSTALL_HINT}`;
  }
  if (kind === 'generic') return `install ${agentCommand(agent) ?? 'the command'} or fix agents.${name}.command`;
  const start = startServer(kind) ?? 'start the server';
  return `${start} (expected at ${agentEndpoint(agent) ?? '?'})`;
}

/** The fix for a failure of this kind, when there is one a person can act on. */
export function failureFix(kind: FailureKind, name: string, agent: AgentConfig): string | undefined {
  const adapterKind = resolveAdapterKind(agent);
  switch (kind) {
    case 'auth':
      return authFix(name, agent);
    case 'not_installed':
      if (adapterKind === 'ollama' && agent.model) return pullFix(agent.model);
      return isCliKind(adapterKind) || adapterKind === 'generic' || adapterKind === 'embedded' ? unavailableFix(name, agent) : undefined;
    case 'network':
      return startServer(adapterKind);
    // The rest pass (retries, fallbacks, the circuit) or are the task's own: no step a person takes.
    case 'rate_limit':
    case 'quota':
    case 'server':
    case 'timeout':
    case 'cancelled':
    case 'bad_output':
    case 'task_failed':
    case 'config':
    case 'circuit_open':
      return undefined;
  }
}

/** The adapter with each failure's fix attached to its error and finish events. */
export function withFailureFixes(adapter: AgentAdapterV1, name: string, agent: AgentConfig): AgentAdapterV1 {
  const fixed = (error: AgentError): AgentError => {
    if (error.fix !== undefined) return error;
    const fix = failureFix(error.kind, name, agent);
    return fix === undefined ? error : { ...error, fix };
  };
  return {
    ...adapter,
    async *doRun(request, options) {
      for await (const event of adapter.doRun(request, options)) {
        if (event.type === 'error') yield { ...event, error: fixed(event.error) };
        else if (event.type === 'finish' && event.error) yield { ...event, error: fixed(event.error) };
        else yield event;
      }
    },
    checkAvailable: (options) => adapter.checkAvailable(options),
  };
}

/** Gemini CLI's settings.json names the signed-in auth type at security.auth.selectedType. */
function hasSelectedAuthType(text: string): boolean {
  let settings: unknown;
  try {
    settings = JSON.parse(text);
  } catch {
    return false;
  }
  const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);
  const selected = field(field(field(settings, 'security'), 'auth'), 'selectedType');
  return typeof selected === 'string' && selected.length > 0;
}
