/**
 * Ollama's model management API, used by `ai-orchestrator models`: version, installed models,
 * pull (streaming NDJSON progress) and delete.
 */
import { AdapterCapabilityError } from '../spec.js';
import { parseJsonFrame, readNdjsonLines } from '../http/frames.js';
import { BackendCallError, callJson, callText } from '../http/json-request.js';
import { errorTextFromBody } from '../http/http-failure.js';
import { httpRequest, joinUrl } from '../http/request.js';
import { unreachableMessage } from '../../shared/unreachable.js';
import { ollamaPullLineSchema, ollamaTagsSchema, ollamaVersionSchema } from './ollama-protocol.js';

export interface InstalledModel {
  readonly name: string;
  readonly sizeBytes?: number;
  readonly parameterSize?: string;
  readonly quantization?: string;
}

/** One progress line of a pull. */
export interface PullProgress {
  readonly status: string;
  readonly digest?: string;
  readonly totalBytes?: number;
  readonly completedBytes?: number;
}

export interface OllamaClient {
  version(signal?: AbortSignal): Promise<string>;
  listModels(signal?: AbortSignal): Promise<InstalledModel[]>;
  /** Streams the pull; resolves at `success`, rejects with the server's error or the abort. */
  pull(model: string, options: { readonly signal?: AbortSignal; readonly onProgress: (p: PullProgress) => void }): Promise<void>;
  /** False when the model was not installed (404). */
  remove(model: string, signal?: AbortSignal): Promise<boolean>;
}

export function createOllamaClient(baseUrl: string): OllamaClient {
  return {
    async version(signal) {
      return (await callJson(joinUrl(baseUrl, '/api/version'), ollamaVersionSchema, { ...(signal ? { signal } : {}) })).version;
    },
    async listModels(signal) {
      const tags = await callJson(joinUrl(baseUrl, '/api/tags'), ollamaTagsSchema, { ...(signal ? { signal } : {}) });
      return tags.models.map((m) => ({
        name: m.name,
        ...(m.size !== undefined ? { sizeBytes: m.size } : {}),
        ...(m.details?.parameter_size ? { parameterSize: m.details.parameter_size } : {}),
        ...(m.details?.quantization_level ? { quantization: m.details.quantization_level } : {}),
      }));
    },
    async pull(model, options) {
      const url = joinUrl(baseUrl, '/api/pull');
      let response;
      try {
        response = await httpRequest(url, { method: 'POST', json: { model, stream: true }, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new BackendCallError(unreachableMessage(url, error), { unreachable: true, cause: error });
      }
      if (response.status < 200 || response.status >= 300) {
        throw new BackendCallError(`pull of ${model} failed: HTTP ${response.status}: ${errorTextFromBody(await response.text())}`, { status: response.status });
      }
      let succeeded = false;
      for await (const line of readNdjsonLines(response.body)) {
        const parsed = ollamaPullLineSchema.safeParse(parseJsonFrame(line));
        if (!parsed.success) throw new BackendCallError(`Ollama sent an unexpected pull line: ${line.slice(0, 200)}`);
        const { status, error, digest, total, completed } = parsed.data;
        if (error !== undefined) throw new BackendCallError(`pull of ${model} failed: ${error}`);
        if (status === undefined) continue;
        options.onProgress({
          status,
          ...(digest ? { digest } : {}),
          ...(total !== undefined ? { totalBytes: total } : {}),
          ...(completed !== undefined ? { completedBytes: completed } : {}),
        });
        if (status === 'success') succeeded = true;
      }
      if (!succeeded) throw new BackendCallError(`pull of ${model} ended before Ollama reported success (connection lost?)`);
    },
    async remove(model, signal) {
      try {
        await callText(joinUrl(baseUrl, '/api/delete'), { method: 'DELETE', json: { model }, ...(signal ? { signal } : {}) });
        return true;
      } catch (error) {
        if (error instanceof BackendCallError && error.status === 404) return false;
        throw error;
      }
    },
  };
}

/** What `models pull/remove` say for backends that cannot manage models. */
export function cannotManageModels(kind: 'llamacpp' | 'openai-compatible', action: 'pull' | 'remove'): AdapterCapabilityError {
  const error = new AdapterCapabilityError(kind, `${action} models`);
  error.message =
    kind === 'llamacpp'
      ? `cannot ${action} models on llama-server: download the GGUF file yourself and restart llama-server with -m <file>`
      : `cannot ${action} models through an OpenAI-compatible server: manage models in the server itself (LM Studio, vLLM, LocalAI)`;
  return error;
}
