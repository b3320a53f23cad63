/**
 * The Ollama adapter: POST /api/chat with streaming NDJSON. `keep_alive` and `options` come
 * from the agent's config; token counts from the final chunk's prompt_eval_count / eval_count.
 */
import { checkAgentAvailability, agentEndpoint } from '../availability.js';
import type { AdapterSettings } from '../registry.js';
import { buildChatMessages } from '../http/messages.js';
import { parseJsonFrame } from '../http/frames.js';
import { joinUrl } from '../http/request.js';
import { runHttpAgent, type DecodedFrame, type StreamDecoder } from '../http/run-http-agent.js';
import { kindFromMessage } from '../failure.js';
import { modelNotFoundMessage } from '../http/http-failure.js';
import type { AgentAdapterV1, AgentEvent } from '../spec.js';
import { createOllamaClient } from './ollama-api.js';
import { ollamaChatChunkSchema } from './ollama-protocol.js';

export const DEFAULT_OLLAMA_ENDPOINT = 'http://localhost:11434';

export function createOllamaAdapter(settings: AdapterSettings): AgentAdapterV1 {
  const { agent, name } = settings;
  const endpoint = agentEndpoint(agent) ?? DEFAULT_OLLAMA_ENDPOINT;
  return {
    specificationVersion: 'agent-v1',
    name,
    kind: 'ollama',
    transport: 'http',
    local: true,
    async *doRun(request, options = {}) {
      if (!agent.model) {
        const error = { kind: 'config' as const, message: `agent "${name}" (ollama) has no model configured` };
        yield { type: 'error', error };
        yield { type: 'finish', success: false, error };
        return;
      }
      yield* runHttpAgent(
        {
          url: joinUrl(endpoint, '/api/chat'),
          body: {
            model: agent.model,
            messages: buildChatMessages(request),
            stream: true,
            ...(agent.keep_alive !== undefined ? { keep_alive: agent.keep_alive } : {}),
            ...(Object.keys(agent.options).length > 0 ? { options: agent.options } : {}),
          },
          framing: 'ndjson',
          decoder: createOllamaChatDecoder(agent.model),
          target: `Ollama at ${endpoint}`,
          model: agent.model,
          pullable: true,
          request,
          ...(settings.applyLocalEdits ? { applyLocalEdits: true } : {}),
          ...(settings.outputLimitBytes !== undefined ? { outputLimitBytes: settings.outputLimitBytes } : {}),
        },
        options,
      );
    },
    /** The server answers and, when a model is configured, has it pulled. */
    async checkAvailable(options = {}) {
      const server = await checkAgentAvailability(agent, options);
      if (!server.available || !agent.model) return server;
      try {
        const installed = await createOllamaClient(endpoint).listModels(options.signal);
        const names = new Set(installed.flatMap((m) => [m.name, m.name.replace(/:latest$/, '')]));
        return names.has(agent.model) ? server : { available: false, detail: modelNotFoundMessage(agent.model) };
      } catch {
        return server;
      }
    },
  };
}

/** Decodes /api/chat NDJSON chunks; exported for unit tests of the wire format. */
export function createOllamaChatDecoder(model: string): StreamDecoder {
  return {
    frame(data: string): DecodedFrame {
      const parsed = ollamaChatChunkSchema.safeParse(parseJsonFrame(data));
      if (!parsed.success) {
        return { events: [], error: { kind: 'bad_output', message: `Ollama sent a line that is not a chat chunk: ${data.slice(0, 200)}` } };
      }
      const chunk = parsed.data;
      if (chunk.error !== undefined) {
        const notFound = /not found/i.test(chunk.error) && /model/i.test(chunk.error);
        return {
          events: [],
          error: notFound
            ? { kind: 'not_installed', message: modelNotFoundMessage(model) }
            : { kind: kindFromMessage(chunk.error) ?? 'server', message: `Ollama: ${chunk.error}` },
        };
      }
      const events: AgentEvent[] = [];
      const content = chunk.message?.content ?? '';
      if (content !== '') events.push({ type: 'text-delta', text: content });
      if (!chunk.done) return { events };
      events.push({
        type: 'usage',
        usage: { inputTokens: chunk.prompt_eval_count ?? 0, outputTokens: chunk.eval_count ?? 0 },
      });
      return { events, done: true };
    },
  };
}
