/** Anthropic Messages API (`POST /v1/messages`), as Claude Code calls it: SSE with named events. */
import type { Reply } from './types.js';
import { DEFAULT_USAGE, array, json, nextId, record, retryHeaders, sse, text, type WireResponse } from './wire.js';

export function decodeAnthropic(body: unknown): { model?: string; stream: boolean; toolResults: number; userText: string } {
  const root = record(body) ?? {};
  let toolResults = 0;
  const userText: string[] = [];
  for (const message of array(root['messages'])) {
    const m = record(message);
    if (m?.['role'] !== 'user') continue;
    const content = m['content'];
    if (typeof content === 'string') userText.push(content);
    for (const block of array(content)) {
      const b = record(block);
      if (b?.['type'] === 'tool_result') toolResults += 1;
      if (b?.['type'] === 'text' && typeof b['text'] === 'string') userText.push(b['text']);
    }
  }
  const model = text(root['model']);
  return { ...(model ? { model } : {}), stream: root['stream'] === true, toolResults, userText: userText.join('\n') };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

export function encodeAnthropic(reply: Reply, model: string, stream: boolean): WireResponse {
  if (reply.type === 'error') {
    const type = ERROR_TYPES[reply.status] ?? 'api_error';
    return json(
      reply.status,
      { type: 'error', error: { type, message: reply.message ?? `fake ${reply.status}` } },
      retryHeaders(reply.retryAfterSeconds),
    );
  }
  if (reply.type === 'disconnect') throw new Error('disconnect is handled by the server');
  const usage = reply.usage ?? DEFAULT_USAGE;
  const blocks: Record<string, unknown>[] = [];
  if (reply.type === 'text') blocks.push({ type: 'text', text: reply.text });
  else if (reply.type === 'tool-call') {
    if (reply.text) blocks.push({ type: 'text', text: reply.text });
    blocks.push({ type: 'tool_use', id: nextId('toolu_fake_'), name: reply.name, input: reply.input });
  } else {
    if (reply.text) blocks.push({ type: 'text', text: reply.text });
    blocks.push({ type: 'tool_use', id: nextId('toolu_fake_'), name: 'Write', input: { file_path: reply.path, content: reply.content } });
  }
  const stopReason = reply.type === 'text' ? 'end_turn' : 'tool_use';
  const id = nextId('msg_fake_');
  const usageBody = { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!stream) {
    return json(200, { id, type: 'message', role: 'assistant', model, content: blocks, stop_reason: stopReason, stop_sequence: null, usage: usageBody });
  }
  const frames: { event: string; data: unknown }[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usageBody, output_tokens: 1 } },
      },
    },
  ];
  blocks.forEach((block, index) => {
    if (block['type'] === 'text') {
      frames.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
      frames.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block['text'] } } });
    } else {
      frames.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block['id'], name: block['name'], input: {} } },
      });
      frames.push({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block['input']) } },
      });
    }
    frames.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  frames.push({
    event: 'message_delta',
    data: { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output } },
  });
  frames.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return sse(frames);
}
