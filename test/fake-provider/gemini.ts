/**
 * Gemini API (`POST /v1beta/models/<model>:streamGenerateContent?alt=sse` and `:generateContent`),
 * as Gemini CLI calls it. Requests asking for JSON (`responseMimeType: application/json`) are the
 * CLI's own side calls (model router, classifiers); they get an object that fills the schema.
 */
import type { Reply } from './types.js';
import { DEFAULT_USAGE, array, json, nextId, record, retryHeaders, sse, type WireResponse } from './wire.js';

export function decodeGemini(
  url: string,
  body: unknown,
): { model?: string; stream: boolean; toolResults: number; userText: string; sideCall: boolean } {
  const root = record(body) ?? {};
  let toolResults = 0;
  const userText: string[] = [];
  for (const content of array(root['contents'])) {
    const c = record(content);
    for (const part of array(c?.['parts'])) {
      const p = record(part);
      if (p?.['functionResponse']) toolResults += 1;
      if (c?.['role'] === 'user' && typeof p?.['text'] === 'string') userText.push(p['text']);
    }
  }
  const model = /\/models\/([^:/?]+):/.exec(url)?.[1];
  const config = record(root['generationConfig']);
  const sideCall = config?.['responseMimeType'] === 'application/json';
  return { ...(model ? { model } : {}), stream: url.includes(':streamGenerateContent'), toolResults, userText: userText.join('\n'), sideCall };
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** A value that satisfies a JSON schema well enough for the CLI's side calls. */
export function fillSchema(schema: unknown): unknown {
  const s = record(schema) ?? {};
  const type = typeof s['type'] === 'string' ? s['type'].toLowerCase() : 'object';
  const enumValues = array(s['enum']);
  if (enumValues.length > 0) return enumValues[0];
  switch (type) {
    case 'string':
      return 'simple';
    case 'integer':
    case 'number':
      return typeof s['minimum'] === 'number' ? s['minimum'] : 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default: {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(record(s['properties']) ?? {})) out[key] = fillSchema(value);
      return out;
    }
  }
}

export function sideCallText(body: unknown): string {
  const config = record(record(body)?.['generationConfig']);
  return JSON.stringify(fillSchema(config?.['responseJsonSchema'] ?? config?.['responseSchema']));
}

export function encodeGemini(reply: Reply, model: string, stream: boolean): WireResponse {
  if (reply.type === 'error') {
    return json(
      reply.status,
      { error: { code: reply.status, message: reply.message ?? `fake ${reply.status}`, status: STATUS_NAMES[reply.status] ?? 'UNKNOWN' } },
      retryHeaders(reply.retryAfterSeconds),
    );
  }
  if (reply.type === 'disconnect') throw new Error('disconnect is handled by the server');
  if (reply.type === 'tool-call') throw new Error('tool-call replies are scripted for the Anthropic API only');
  const usage = reply.usage ?? DEFAULT_USAGE;
  const parts: Record<string, unknown>[] = [];
  if (reply.type === 'text') parts.push({ text: reply.text });
  else {
    if (reply.text) parts.push({ text: reply.text });
    parts.push({ functionCall: { name: 'write_file', args: { file_path: reply.path, content: reply.content } } });
  }
  const value = {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output },
    modelVersion: model,
    responseId: nextId('gem_fake_'),
  };
  return stream ? sse([{ data: value }]) : json(200, value);
}
