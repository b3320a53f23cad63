/**
 * Embedding over HTTP: Ollama's `/api/embed` and any OpenAI-compatible `/v1/embeddings`
 * (OpenAI, llama-server, LM Studio, vLLM, LocalAI). Responses are checked; failures
 * become BACKEND_ERROR with the server's status and a short body excerpt.
 */
import { timeoutSignal } from '../../shared/abort.js';
import { OrchestratorError, errorMessage } from '../../shared/errors.js';
import { isObject, listOf } from '../../shared/value-checks.js';
import { normalize, type EmbeddingProvider } from './provider.js';

export interface OllamaEmbeddingSettings {
  readonly model: string;
  readonly endpoint?: string;
  readonly timeoutMs?: number;
}

export interface OpenAiEmbeddingSettings {
  readonly model: string;
  /** Base URL up to and including /v1. */
  readonly endpoint: string;
  readonly apiKey?: string;
  readonly dimensions?: number;
  readonly timeoutMs?: number;
}

// Response bodies are checked by hand: this module loads with the memory, before a task's first
// agent starts, where zod would cost more than every check it makes.
const numbers = (value: unknown): number[] | undefined => listOf(value, (n) => (typeof n === 'number' ? n : undefined));

/** Ollama's `{ embeddings: number[][] }`. */
function ollamaEmbeddings(body: unknown): number[][] | undefined {
  return isObject(body) ? listOf(body['embeddings'], numbers) : undefined;
}

/** OpenAI's `{ data: [{ embedding: number[], index?: integer }] }`. */
function openAiEmbeddings(body: unknown): { embedding: number[]; index?: number }[] | undefined {
  if (!isObject(body)) return undefined;
  return listOf(body['data'], (item) => {
    if (!isObject(item)) return undefined;
    const embedding = numbers(item['embedding']);
    const index = item['index'];
    if (!embedding || (index !== undefined && !Number.isInteger(index))) return undefined;
    return index === undefined ? { embedding } : { embedding, index: index as number };
  });
}

export function createOllamaEmbedding(settings: OllamaEmbeddingSettings): EmbeddingProvider {
  const base = (settings.endpoint ?? 'http://127.0.0.1:11434').replace(/\/+$/, '');
  return {
    id: `ollama:${settings.model}`,
    kind: 'ollama',
    batchSize: 32,
    async embed(texts, options = {}) {
      if (texts.length === 0) return [];
      const body = await postJson(`${base}/api/embed`, { model: settings.model, input: texts }, {}, settings.timeoutMs, options.signal);
      const embeddings = ollamaEmbeddings(body);
      if (!embeddings || embeddings.length !== texts.length) {
        throw new OrchestratorError('BACKEND_ERROR', `ollama /api/embed returned an unexpected body for model ${settings.model}`);
      }
      return embeddings.map((v) => normalize(Float32Array.from(v)));
    },
  };
}

export function createOpenAiEmbedding(settings: OpenAiEmbeddingSettings): EmbeddingProvider {
  const base = settings.endpoint.replace(/\/+$/, '');
  const dims = settings.dimensions ? `/${settings.dimensions}` : '';
  return {
    id: `openai-compatible:${settings.model}${dims}@${base}`,
    kind: 'openai-compatible',
    batchSize: 64,
    async embed(texts, options = {}) {
      if (texts.length === 0) return [];
      const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};
      const request = { model: settings.model, input: texts, ...(settings.dimensions ? { dimensions: settings.dimensions } : {}) };
      const body = await postJson(`${base}/embeddings`, request, headers, settings.timeoutMs, options.signal);
      const data = openAiEmbeddings(body);
      if (!data || data.length !== texts.length) {
        throw new OrchestratorError('BACKEND_ERROR', `${base}/embeddings returned an unexpected body for model ${settings.model}`);
      }
      const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      return ordered.map((item) => normalize(Float32Array.from(item.embedding)));
    },
  };
}

async function postJson(
  url: string,
  payload: unknown,
  headers: Record<string, string>,
  timeoutMs = 60_000,
  signal?: AbortSignal,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
      signal: timeoutSignal(signal, timeoutMs),
    });
  } catch (error) {
    if (signal?.aborted) throw new OrchestratorError('CANCELLED', 'embedding request cancelled', { cause: error });
    throw new OrchestratorError('BACKEND_ERROR', `cannot reach embedding server ${url}: ${errorMessage(error)}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new OrchestratorError('BACKEND_ERROR', `embedding server ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OrchestratorError('BACKEND_ERROR', `embedding server ${url} sent invalid JSON`, { cause: error });
  }
}
