/** The adapter contract, applied to the three HTTP adapters against their loopback fakes. */
import { afterAll } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { startFakeLlamaServer } from '../../../test/fake-local/fake-llama-server.js';
import { startFakeOllama } from '../../../test/fake-local/fake-ollama.js';
import { startFakeOpenAICompatible } from '../../../test/fake-local/fake-openai-compatible.js';
import type { ChatScript, FakeServer } from '../../../test/fake-local/server.js';
import { createLlamaCppAdapter } from '../llama-cpp/index.js';
import { createOllamaAdapter } from '../ollama/index.js';
import { createOpenAICompatibleAdapter } from '../openai-compatible/index.js';
import { describeAdapterContract, type ContractScenario } from '../testing/adapter-contract.js';

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function scriptFor(scenario: ContractScenario): ChatScript {
  switch (scenario) {
    case 'fails':
      return () => ({ type: 'error', status: 500, body: { error: 'llama runner process has terminated' } });
    case 'hangs':
      return () => ({ type: 'hang' });
    case 'bad_output':
      return () => ({ type: 'malformed' });
    case 'succeeds':
    case 'not_installed':
      return () => ({ type: 'text', chunks: ['all ', 'good'] });
  }
}

describeAdapterContract(
  'ollama',
  async (scenario) => {
    const server = await startFakeOllama({ models: ['mistral:7b-instruct'], script: scriptFor(scenario) });
    servers.push(server);
    const model = scenario === 'not_installed' ? 'codellama:13b' : 'mistral:7b-instruct';
    return createOllamaAdapter({ name: 'local-instruct', agent: agentSchema.parse({ type: 'ollama', endpoint: server.url, model }) });
  },
  { failsWith: 'server' },
);

describeAdapterContract(
  'llamacpp (chat)',
  async (scenario) => {
    if (scenario === 'not_installed') return undefined; // llama-server serves the one model it was started with
    const server = await startFakeLlamaServer({ script: scriptFor(scenario) });
    servers.push(server);
    return createLlamaCppAdapter({ name: 'local-large', agent: agentSchema.parse({ type: 'llamacpp', endpoint: server.url }) });
  },
  { failsWith: 'server' },
);

describeAdapterContract(
  'llamacpp (completion)',
  async (scenario) => {
    if (scenario === 'not_installed') return undefined;
    const server = await startFakeLlamaServer({ script: scriptFor(scenario) });
    servers.push(server);
    return createLlamaCppAdapter({ name: 'local-large', agent: agentSchema.parse({ type: 'llamacpp', endpoint: server.url, api: 'completion' }) });
  },
  { failsWith: 'server' },
);

describeAdapterContract(
  'openai-compatible',
  async (scenario) => {
    if (scenario === 'not_installed') return undefined; // availability is the server's /models, not one model
    const server = await startFakeOpenAICompatible({ models: ['qwen'], script: scriptFor(scenario) });
    servers.push(server);
    return createOpenAICompatibleAdapter({
      name: 'lmstudio',
      agent: agentSchema.parse({ type: 'openai-compatible', endpoint: `${server.url}/v1`, model: 'qwen' }),
    });
  },
  { failsWith: 'server' },
);
