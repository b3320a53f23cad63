/**
 * The OpenAI chat-completions stream (`chat.completion.chunk` SSE frames ending with
 * `data: [DONE]`), shared by the OpenAI-compatible adapter and llama-server's /v1 API.
 * llama-server adds `timings` (prompt_n / predicted_n), used when `usage` is absent.
 */
import { z } from 'zod';
import { parseJsonFrame } from '../http/frames.js';
import type { DecodedFrame, StreamDecoder } from '../http/run-http-agent.js';
import { kindFromMessage } from '../failure.js';
import type { AgentEvent, Usage } from '../spec.js';

const timingsSchema = z.object({ prompt_n: z.number().optional(), predicted_n: z.number().optional() });

export const chatChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).partial().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
  usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish(),
  timings: timingsSchema.nullish(),
  error: z.union([z.string(), z.object({ message: z.string().optional() })]).optional(),
});

export const modelListSchema = z.object({
  data: z.array(z.object({ id: z.string() })).default([]),
});

/** `[DONE]` ends the stream; usage is reported once, from `usage` or llama-server's `timings`. */
export function createChatStreamDecoder(target: string): StreamDecoder {
  let usage: Usage | undefined;
  return {
    frame(data: string): DecodedFrame {
      if (data.trim() === '[DONE]') {
        return { events: usage ? [{ type: 'usage', usage }] : [], done: true };
      }
      const parsed = chatChunkSchema.safeParse(parseJsonFrame(data));
      if (!parsed.success) {
        return { events: [], error: { kind: 'bad_output', message: `${target} sent an event that is not a chat chunk: ${data.slice(0, 200)}` } };
      }
      const chunk = parsed.data;
      if (chunk.error !== undefined) {
        const message = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'unknown error');
        return { events: [], error: { kind: kindFromMessage(message) ?? 'server', message: `${target}: ${message}` } };
      }
      if (chunk.usage) {
        usage = { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
      } else if (chunk.timings) {
        usage = { inputTokens: chunk.timings.prompt_n ?? 0, outputTokens: chunk.timings.predicted_n ?? 0 };
      }
      const events: AgentEvent[] = [];
      for (const choice of chunk.choices) {
        const text = choice.delta?.content;
        if (text) events.push({ type: 'text-delta', text });
      }
      return { events };
    },
  };
}

/** The Authorization header from the env var an agent names; an error text when it is unset. */
export function bearerFromEnv(
  apiKeyEnv: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { readonly headers: Record<string, string> } | { readonly missing: string } {
  if (!apiKeyEnv) return { headers: {} };
  const key = env[apiKeyEnv];
  if (!key) return { missing: `environment variable ${apiKeyEnv} (api_key_env) is not set` };
  return { headers: { authorization: `Bearer ${key}` } };
}
