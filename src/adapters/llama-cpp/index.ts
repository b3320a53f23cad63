/**
 * llama.cpp's llama-server. `api: chat` (default) uses its OpenAI-compatible
 * /v1/chat/completions (SSE ending with `[DONE]`); `api: completion` uses the native
 * /completion (SSE `data:` frames only, the last with `stop: true`, no `[DONE]`). Token counts
 * come from `timings` (prompt_n / predicted_n). A server still loading its model answers 503,
 * which is kind `server` (transient: retried or fallen back from).
 */
import { z } from 'zod';
import { agentEndpoint, checkAgentAvailability } from '../availability.js';
import { kindFromMessage } from '../failure.js';
import { parseJsonFrame } from '../http/frames.js';
import { buildChatMessages, renderPlainPrompt } from '../http/messages.js';
import { joinUrl } from '../http/request.js';
import { runHttpAgent, type DecodedFrame, type StreamDecoder } from '../http/run-http-agent.js';
import { bearerFromEnv, createChatStreamDecoder } from '../openai-compatible/chat-stream.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1, AgentEvent } from '../spec.js';
import { failureEvents } from '../failure.js';

export const DEFAULT_LLAMA_SERVER_ENDPOINT = 'http://localhost:8080';

/** The server root, tolerating an endpoint written with `/v1`. */
export function llamaServerBase(endpoint: string): string {
  return endpoint.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export function createLlamaCppAdapter(settings: AdapterSettings): AgentAdapterV1 {
  const { agent, name } = settings;
  const base = llamaServerBase(agentEndpoint(agent) ?? DEFAULT_LLAMA_SERVER_ENDPOINT);
  const target = `llama-server at ${base}`;
  return {
    specificationVersion: 'agent-v1',
    name,
    kind: 'llamacpp',
    transport: 'http',
    local: true,
    async *doRun(request, options = {}) {
      const auth = bearerFromEnv(agent.api_key_env);
      if ('missing' in auth) {
        yield* failureEvents({ kind: 'auth', message: `agent "${name}": ${auth.missing}` });
        return;
      }
      const messages = buildChatMessages(request);
      const common = {
        headers: auth.headers,
        framing: 'sse' as const,
        target,
        ...(agent.model ? { model: agent.model } : {}),
        request,
        ...(settings.applyLocalEdits ? { applyLocalEdits: true } : {}),
        ...(settings.outputLimitBytes !== undefined ? { outputLimitBytes: settings.outputLimitBytes } : {}),
      };
      if (agent.api === 'completion') {
        yield* runHttpAgent(
          {
            ...common,
            url: joinUrl(base, '/completion'),
            body: { n_predict: -1, ...agent.options, prompt: renderPlainPrompt(messages), stream: true },
            decoder: createCompletionDecoder(target),
          },
          options,
        );
        return;
      }
      yield* runHttpAgent(
        {
          ...common,
          url: joinUrl(base, '/v1/chat/completions'),
          body: { ...agent.options, ...(agent.model ? { model: agent.model } : {}), messages, stream: true },
          decoder: createChatStreamDecoder(target),
        },
        options,
      );
    },
    checkAvailable(options = {}) {
      return checkAgentAvailability(agent, options);
    },
  };
}

const completionFrameSchema = z.object({
  content: z.string().default(''),
  stop: z.boolean().default(false),
  timings: z.object({ prompt_n: z.number().optional(), predicted_n: z.number().optional() }).optional(),
  tokens_evaluated: z.number().optional(),
  tokens_predicted: z.number().optional(),
  error: z.union([z.string(), z.object({ message: z.string().optional() })]).optional(),
});

/** Native /completion frames: content deltas until the frame with `stop: true`. */
export function createCompletionDecoder(target: string): StreamDecoder {
  return {
    frame(data: string): DecodedFrame {
      const parsed = completionFrameSchema.safeParse(parseJsonFrame(data));
      if (!parsed.success) {
        return { events: [], error: { kind: 'bad_output', message: `${target} sent an event that is not a completion frame: ${data.slice(0, 200)}` } };
      }
      const frame = parsed.data;
      if (frame.error !== undefined) {
        const message = typeof frame.error === 'string' ? frame.error : (frame.error.message ?? 'unknown error');
        return { events: [], error: { kind: kindFromMessage(message) ?? 'server', message: `${target}: ${message}` } };
      }
      const events: AgentEvent[] = [];
      if (frame.content !== '') events.push({ type: 'text-delta', text: frame.content });
      if (!frame.stop) return { events };
      events.push({
        type: 'usage',
        usage: {
          inputTokens: frame.timings?.prompt_n ?? frame.tokens_evaluated ?? 0,
          outputTokens: frame.timings?.predicted_n ?? frame.tokens_predicted ?? 0,
        },
      });
      return { events, done: true };
    },
  };
}
