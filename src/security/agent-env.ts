/**
 * Agents get an allowlisted environment, never ours wholesale: the basics a CLI needs to run,
 * the variables its own provider reads, and whatever the agent's config names explicitly.
 * `${NAME}` in a configured value expands from our environment, so keys stay out of the file.
 */
const BASE = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TERM', 'TMPDIR', 'TZ',
  'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR',
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY',
  'http_proxy', 'https_proxy', 'no_proxy', 'NO_COLOR', 'FORCE_COLOR', 'COLUMNS',
] as const;

const BASE_NAMES: ReadonlySet<string> = new Set(BASE);

/** Prefixes of the variables each CLI reads for its provider, auth and home directory. */
const PROVIDER_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  claude: ['ANTHROPIC_', 'CLAUDE_', 'AWS_', 'GOOGLE_CLOUD_', 'CLOUD_ML_', 'DISABLE_', 'IS_SANDBOX', 'MAX_THINKING_TOKENS', 'API_TIMEOUT_MS'],
  codex: ['OPENAI_', 'CODEX_', 'AZURE_OPENAI_'],
  gemini: ['GEMINI_', 'GOOGLE_'],
  copilot: ['COPILOT_', 'GH_', 'GITHUB_'],
  generic: [],
};

export interface AgentEnvOptions {
  /** Adapter kind whose provider variables pass through. */
  readonly kind: string;
  /** The agent's `env` from config (wins over everything, `${NAME}` expanded). */
  readonly extra?: Readonly<Record<string, string>>;
  /** Variables the adapter itself sets (after the allowlist, before `extra`). */
  readonly adapterDefaults?: Readonly<Record<string, string>>;
  readonly source?: NodeJS.ProcessEnv;
}

export function buildAgentEnv(options: AgentEnvOptions): Record<string, string> {
  const source = options.source ?? process.env;
  const prefixes = PROVIDER_PREFIXES[options.kind] ?? [];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (BASE_NAMES.has(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      env[name] = value;
    }
  }
  Object.assign(env, options.adapterDefaults ?? {});
  for (const [name, value] of Object.entries(options.extra ?? {})) env[name] = expand(value, source);
  return env;
}

function expand(value: string, source: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => source[name] ?? '');
}
