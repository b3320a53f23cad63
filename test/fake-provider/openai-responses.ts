/** OpenAI Responses API (`POST /v1/responses`), as Codex calls it: SSE with named events. */
import type { Reply } from './types.js';
import { DEFAULT_USAGE, array, json, nextId, record, retryHeaders, sse, text, type WireResponse } from './wire.js';

export function decodeResponses(body: unknown): { model?: string; stream: boolean; toolResults: number; userText: string } {
  const root = record(body) ?? {};
  let toolResults = 0;
  const userText: string[] = [];
  const input = root['input'];
  if (typeof input === 'string') userText.push(input);
  for (const item of array(input)) {
    const i = record(item);
    if (!i) continue;
    if (i['type'] === 'function_call_output' || i['type'] === 'custom_tool_call_output') toolResults += 1;
    if (i['role'] === 'user') {
      if (typeof i['content'] === 'string') userText.push(i['content']);
      for (const part of array(i['content'])) {
        const p = record(part);
        if (typeof p?.['text'] === 'string') userText.push(p['text']);
      }
    }
  }
  const model = text(root['model']);
  return { ...(model ? { model } : {}), stream: root['stream'] !== false, toolResults, userText: userText.join('\n') };
}

const ERROR_CODES: Record<number, string> = {
  401: 'invalid_api_key',
  403: 'forbidden',
  429: 'rate_limit_exceeded',
};

export function openAiError(status: number, message: string | undefined, retryAfterSeconds?: number): WireResponse {
  return json(
    status,
    {
      error: {
        message: message ?? `fake ${status}`,
        type: status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: ERROR_CODES[status] ?? null,
      },
    },
    retryHeaders(retryAfterSeconds),
  );
}

/** Codex's `apply_patch` wants a patch; an Add File hunk creates the file. */
function addFilePatch(path: string, content: string): string {
  const lines = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
  return `*** Begin Patch\n*** Add File: ${path}\n${lines.map((l) => `+${l}`).join('\n')}\n*** End Patch\n`;
}

export function encodeResponses(reply: Reply, model: string): WireResponse {
  if (reply.type === 'error') return openAiError(reply.status, reply.message, reply.retryAfterSeconds);
  if (reply.type === 'disconnect') throw new Error('disconnect is handled by the server');
  if (reply.type === 'tool-call') throw new Error('tool-call replies are scripted for the Anthropic API only');
  const usage = reply.usage ?? DEFAULT_USAGE;
  const items: Record<string, unknown>[] = [];
  const messageItem = (t: string): Record<string, unknown> => ({
    type: 'message',
    id: nextId('msg_'),
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: t, annotations: [] }],
  });
  if (reply.type === 'text') items.push(messageItem(reply.text));
  else {
    if (reply.text) items.push(messageItem(reply.text));
    items.push({
      type: 'custom_tool_call',
      id: nextId('ctc_'),
      call_id: nextId('call_fake_'),
      name: 'apply_patch',
      input: addFilePatch(reply.path, reply.content),
      status: 'completed',
    });
  }
  const responseId = nextId('resp_fake_');
  let sequence = 0;
  const frames: { event: string; data: unknown }[] = [];
  const push = (type: string, data: Record<string, unknown>): void => {
    frames.push({ event: type, data: { type, sequence_number: sequence++, ...data } });
  };
  const base = { id: responseId, object: 'response', created_at: Math.floor(Date.now() / 1000), model };
  push('response.created', { response: { ...base, status: 'in_progress', output: [] } });
  items.forEach((item, index) => {
    if (item['type'] === 'message') {
      const t = (item['content'] as { text: string }[])[0]?.text ?? '';
      push('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
      push('response.content_part.added', { item_id: item['id'], output_index: index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      push('response.output_text.delta', { item_id: item['id'], output_index: index, content_index: 0, delta: t });
      push('response.output_text.done', { item_id: item['id'], output_index: index, content_index: 0, text: t });
      push('response.content_part.done', { item_id: item['id'], output_index: index, content_index: 0, part: { type: 'output_text', text: t, annotations: [] } });
    } else {
      push('response.output_item.added', { output_index: index, item });
    }
    push('response.output_item.done', { output_index: index, item });
  });
  push('response.completed', {
    response: {
      ...base,
      status: 'completed',
      output: items,
      usage: {
        input_tokens: usage.input,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: usage.output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.input + usage.output,
      },
    },
  });
  return sse(frames);
}
