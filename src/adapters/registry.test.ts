import { describe, expect, it } from 'vitest';
import { configSchema, type AgentConfig } from '../config/schema.js';
import { createClaudeCodeAdapter } from './claude-code/index.js';
import { createCodexAdapter } from './codex/index.js';
import { createCopilotAdapter } from './copilot/index.js';
import { createEmbeddedAdapter } from './embedded/index.js';
import { createGeminiCliAdapter } from './gemini-cli/index.js';
import { createGenericCliAdapter } from './generic/index.js';
import { createLlamaCppAdapter } from './llama-cpp/index.js';
import { createOllamaAdapter } from './ollama/index.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/index.js';
import { createAdapter, type AdapterFactory } from './registry.js';

/** One agent of each kind (some marked offline or not), with the factory that builds it. */
const AGENTS: readonly [Record<string, unknown>, AdapterFactory][] = [
  [{ type: 'claude' }, createClaudeCodeAdapter],
  [{ type: 'cli', command: '/usr/local/bin/claude', offline: true }, createClaudeCodeAdapter],
  [{ type: 'codex' }, createCodexAdapter],
  [{ type: 'gemini' }, createGeminiCliAdapter],
  [{ type: 'copilot' }, createCopilotAdapter],
  [{ type: 'generic', command: '/no/such/agent-cli' }, createGenericCliAdapter],
  [{ type: 'generic', command: '/no/such/agent-cli', offline: true }, createGenericCliAdapter],
  [{ type: 'ollama', endpoint: 'http://127.0.0.1:1', model: 'tiny', offline: false }, createOllamaAdapter],
  [{ type: 'llamacpp', endpoint: 'http://127.0.0.1:1' }, createLlamaCppAdapter],
  [{ type: 'localai', endpoint: 'http://127.0.0.1:1', model: 'm' }, createOpenAICompatibleAdapter],
  [{ type: 'embedded', model: '/no/such/model.gguf' }, createEmbeddedAdapter],
];

function agentConfig(fields: Record<string, unknown>): AgentConfig {
  const agent = configSchema.parse({ agents: { a: fields } }).agents['a'];
  if (!agent) throw new Error('agent missing from the parsed config');
  return agent;
}

describe('the adapter registry', () => {
  it('describes each agent, before its adapter module is loaded, as the adapter itself does', async () => {
    for (const [fields, factory] of AGENTS) {
      const agent = agentConfig(fields);
      const lazy = createAdapter({ name: 'a', agent });
      const real = factory({ name: 'a', agent });
      const describe = (adapter: typeof real) => ({
        specificationVersion: adapter.specificationVersion,
        name: adapter.name,
        kind: adapter.kind,
        transport: adapter.transport,
        local: adapter.local,
      });
      expect(describe(lazy), JSON.stringify(fields)).toEqual(describe(real));
      // Checking or running it loads the adapter and answers as it does.
      expect(await lazy.checkAvailable(), JSON.stringify(fields)).toEqual(await real.checkAvailable());
    }
  });
});
