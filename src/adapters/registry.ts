/**
 * Agent name → adapter. Adding an adapter means: a folder with a `createX(settings)` factory,
 * one line here, and passing the adapter contract tests.
 */
import type { AgentConfig } from '../config/schema.js';
import { resolveAdapterKind, type AdapterKind } from '../config/workflows.js';
import { OrchestratorError } from '../shared/errors.js';
import { createClaudeCodeAdapter } from './claude-code/index.js';
import { createCodexAdapter } from './codex/index.js';
import { createCopilotAdapter } from './copilot/index.js';
import { createEmbeddedAdapter } from './embedded/index.js';
import { withFailureFixes } from './failure-fixes.js';
import { createGeminiCliAdapter } from './gemini-cli/index.js';
import { createGenericCliAdapter } from './generic/index.js';
import { createLlamaCppAdapter } from './llama-cpp/index.js';
import { createOllamaAdapter } from './ollama/index.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/index.js';
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

const FACTORIES: Partial<Record<AdapterKind, AdapterFactory>> = {
  claude: createClaudeCodeAdapter,
  codex: createCodexAdapter,
  gemini: createGeminiCliAdapter,
  copilot: createCopilotAdapter,
  generic: createGenericCliAdapter,
  ollama: createOllamaAdapter,
  llamacpp: createLlamaCppAdapter,
  'openai-compatible': createOpenAICompatibleAdapter,
  embedded: createEmbeddedAdapter,
};

export function createAdapter(settings: AdapterSettings): AgentAdapterV1 {
  const kind = resolveAdapterKind(settings.agent);
  const factory = FACTORIES[kind];
  if (!factory) {
    throw new OrchestratorError('CAPABILITY_UNSUPPORTED', `agent "${settings.name}": adapter type "${kind}" is not supported yet`);
  }
  // Every failure says what to do about it (sign in, set a variable, start a server).
  return withFailureFixes(factory(settings), settings.name, settings.agent);
}
