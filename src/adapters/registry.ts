/**
 * Agent name → adapter. Adding an adapter means: a folder with a `createX(settings)` factory,
 * one line here, and passing the adapter contract tests. An adapter's module loads when the
 * agent is first run or checked, not with the registry: a task loads the adapters it uses (the
 * nine together cost ≈ 35 ms of start-up on a 2-core machine).
 */
import type { AgentConfig } from '../config/schema.js';
import { isLocalAgent, resolveAdapterKind, type AdapterKind } from '../config/workflows.js';
import { OrchestratorError } from '../shared/errors.js';
import type { AgentAdapterV1 } from './spec.js';

/** What a factory gets: the agent's own config slice and the few global switches that apply. */
export interface AdapterSettings {
  readonly name: string;
  readonly agent: AgentConfig;
  /** settings.apply_local_edits: local agents may write fenced code blocks into the cwd. */
  readonly applyLocalEdits?: boolean;
  /** Live stderr of CLI agents (for --verbose); never stdout. */
  readonly onStderr?: (agent: string, chunk: string) => void;
  /** settings.output_limit_bytes: the most an adapter keeps of one run's answer text. */
  readonly outputLimitBytes?: number;
}

export type AdapterFactory = (settings: AdapterSettings) => AgentAdapterV1;

const FACTORIES: Partial<Record<AdapterKind, () => Promise<AdapterFactory>>> = {
  claude: async () => (await import('./claude-code/index.js')).createClaudeCodeAdapter,
  codex: async () => (await import('./codex/index.js')).createCodexAdapter,
  gemini: async () => (await import('./gemini-cli/index.js')).createGeminiCliAdapter,
  copilot: async () => (await import('./copilot/index.js')).createCopilotAdapter,
  generic: async () => (await import('./generic/index.js')).createGenericCliAdapter,
  ollama: async () => (await import('./ollama/index.js')).createOllamaAdapter,
  llamacpp: async () => (await import('./llama-cpp/index.js')).createLlamaCppAdapter,
  'openai-compatible': async () => (await import('./openai-compatible/index.js')).createOpenAICompatibleAdapter,
  embedded: async () => (await import('./embedded/index.js')).createEmbeddedAdapter,
};

/** How each kind reaches its model; what an adapter says of itself before its module is loaded. */
const TRANSPORTS: Readonly<Record<AdapterKind, AgentAdapterV1['transport']>> = {
  claude: 'cli',
  codex: 'cli',
  gemini: 'cli',
  copilot: 'cli',
  generic: 'cli',
  ollama: 'http',
  llamacpp: 'http',
  'openai-compatible': 'http',
  embedded: 'embedded',
};

export function createAdapter(settings: AdapterSettings): AgentAdapterV1 {
  const kind = resolveAdapterKind(settings.agent);
  const load = FACTORIES[kind];
  if (!load) {
    throw new OrchestratorError('CAPABILITY_UNSUPPORTED', `agent "${settings.name}": adapter type "${kind}" is not supported yet`);
  }
  let built: Promise<AgentAdapterV1> | undefined;
  // Every failure says what to do about it (sign in, set a variable, start a server).
  const adapter = (): Promise<AgentAdapterV1> =>
    (built ??= Promise.all([load(), import('./failure-fixes.js')]).then(([factory, { withFailureFixes }]) =>
      withFailureFixes(factory(settings), settings.name, settings.agent),
    ));
  const transport = TRANSPORTS[kind];
  return {
    specificationVersion: 'agent-v1',
    name: settings.name,
    kind,
    transport,
    // CLI agents call a cloud provider unless marked offline; HTTP and embedded ones run here.
    local: transport === 'cli' ? isLocalAgent(settings.agent) : true,
    async *doRun(request, options) {
      yield* (await adapter()).doRun(request, options);
    },
    async checkAvailable(options) {
      return (await adapter()).checkAvailable(options);
    },
  };
}
