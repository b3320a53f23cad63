/**
 * Any OpenAI-compatible chat server (LM Studio, vLLM, LocalAI, Ollama's /v1, llama-server's /v1):
 * POST {endpoint}/chat/completions with `stream: true`, SSE until `[DONE]`. The endpoint
 * includes the version path (`http://localhost:1234/v1`); an API key is read from the
 * environment variable named by `api_key_env`, never from the config file.
 */
import { agentEndpoint, checkAgentAvailability } from '../availability.js';
import { buildChatMessages } from '../http/messages.js';
import { joinUrl } from '../http/request.js';
import { runHttpAgent } from '../http/run-http-agent.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1 } from '../spec.js';
import { bearerFromEnv, createChatStreamDecoder } from './chat-stream.js';
import { failureEvents } from '../failure.js';

export const DEFAULT_OPENAI_COMPATIBLE_ENDPOINT = 'http://localhost:8000/v1';

export function createOpenAICompatibleAdapter(settings: AdapterSettings): AgentAdapterV1 {
  const { agent, name } = settings;
  const endpoint = agentEndpoint(agent) ?? DEFAULT_OPENAI_COMPATIBLE_ENDPOINT;
  const target = `OpenAI-compatible server at ${endpoint}`;
  return {
    specificationVersion: 'agent-v1',
    name,
    kind: 'openai-compatible',
    transport: 'http',
    local: true,
    async *doRun(request, options = {}) {
      const auth = bearerFromEnv(agent.api_key_env);
      if ('missing' in auth) {
        yield* failureEvents({ kind: 'auth', message: `agent "${name}": ${auth.missing}` });
        return;
      }
      yield* runHttpAgent(
        {
          url: joinUrl(endpoint, '/chat/completions'),
          headers: auth.headers,
          body: {
            ...agent.options,
            ...(agent.model ? { model: agent.model } : {}),
            messages: buildChatMessages(request),
            stream: true,
            stream_options: { include_usage: true },
          },
          framing: 'sse',
          decoder: createChatStreamDecoder(target),
          target,
          ...(agent.model ? { model: agent.model } : {}),
          request,
          ...(settings.applyLocalEdits ? { applyLocalEdits: true } : {}),
          ...(settings.outputLimitBytes !== undefined ? { outputLimitBytes: settings.outputLimitBytes } : {}),
        },
        options,
      );
    },
    checkAvailable(options = {}) {
      return checkAgentAvailability(agent, options);
    },
  };
}
