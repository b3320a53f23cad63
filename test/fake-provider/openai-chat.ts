/** OpenAI Chat Completions (`POST /v1/chat/completions`), as Copilot CLI calls it: SSE ending in [DONE]. */
import { openAiError } from './openai-responses.js';
import type { Reply } from './types.js';
import { DEFAULT_USAGE, array, json, nextId, record, sse, text, type WireResponse } from './wire.js';

export function decodeChat(body: unknown): { model?: string; stream: boolean; toolResults: number; userText: string } {
  const root = record(body) ?? {};
  let toolResults = 0;
  const userText: string[] = [];
  for (const message of array(root['messages'])) {
    const m = record(message);
    if (m?.['role'] === 'tool') toolResults += 1;
    if (m?.['role'] !== 'user') continue;
    if (typeof m['content'] === 'string') userText.push(m['content']);
    for (const part of array(m['content'])) {
      const p = record(part);
      if (typeof p?.['text'] === 'string') userText.push(p['text']);
    }
  }
  const model = text(root['model']);
  return { ...(model ? { model } : {}), stream: root['stream'] === true, toolResults, userText: userText.join('\n') };
}

export function encodeChat(reply: Reply, model: string, stream: boolean): WireResponse {
  if (reply.type === 'error') return openAiError(reply.status, reply.message, reply.retryAfterSeconds);
  if (reply.type === 'disconnect') throw new Error('disconnect is handled by the server');
  if (reply.type === 'tool-call') throw new Error('tool-call replies are scripted for the Anthropic API only');
  const usage = reply.usage ?? DEFAULT_USAGE;
  const id = nextId('chatcmpl-fake');
  const created = Math.floor(Date.now() / 1000);
  const usageBody = { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output };
  const content = reply.type === 'text' ? reply.text : (reply.text ?? '');
  const toolCalls =
    reply.type === 'write-file'
      ? [
          {
            index: 0,
            id: nextId('call_fake_'),
            type: 'function',
            function: { name: 'create', arguments: JSON.stringify({ path: reply.path, file_text: reply.content }) },
          },
        ]
      : undefined;
  const finish = toolCalls ? 'tool_calls' : 'stop';
  if (!stream) {
    return json(200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls.map(({ index: _i, ...call }) => call) } : {}) },
          finish_reason: finish,
        },
      ],
      usage: usageBody,
    });
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): { data: unknown } => ({
    data: { id, object: 'chat.completion.chunk', created, model, choices, ...extra },
  });
  const frames = [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])];
  if (content) frames.push(chunk([{ index: 0, delta: { content }, finish_reason: null }]));
  if (toolCalls) frames.push(chunk([{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null }]));
  frames.push(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
  frames.push(chunk([], { usage: usageBody }));
  return sse(frames, 'data: [DONE]\n\n');
}
