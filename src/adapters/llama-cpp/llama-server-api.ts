/**
 * llama-server's status API for `models status`: /health (200 ok, 503 while the model loads)
 * and /v1/models (the loaded model's alias or path).
 */
import { z } from 'zod';
import { BackendCallError, callJson } from '../http/json-request.js';
import { joinUrl } from '../http/request.js';

export type LlamaServerHealth = 'ok' | 'loading';

export async function llamaServerHealth(baseUrl: string, options: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<LlamaServerHealth> {
  try {
    await callJson(joinUrl(baseUrl, '/health'), z.unknown(), options);
    return 'ok';
  } catch (error) {
    if (error instanceof BackendCallError && error.status === 503) return 'loading';
    throw error;
  }
}
