/** The model list of an OpenAI-style server (`GET {base}/models`, base includes `/v1`). */
import { callJson } from '../http/json-request.js';
import { joinUrl } from '../http/request.js';
import { modelListSchema } from './chat-stream.js';

export async function listOpenAIModels(
  base: string,
  options: { readonly signal?: AbortSignal; readonly headers?: Record<string, string> } = {},
): Promise<string[]> {
  const list = await callJson(joinUrl(base, '/models'), modelListSchema, options);
  return list.data.map((m) => m.id);
}
