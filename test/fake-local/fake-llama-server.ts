/**
 * A fake llama.cpp llama-server written from tools/server/README.md: /health (503 while
 * loading), /v1/models, /v1/chat/completions (SSE chunks with `timings`, then `[DONE]`) and
 * the native /completion (SSE frames, the last with `stop: true`, no `[DONE]`).
 */
import { defaultScript, notFound, playStream, sendJson, startFakeServer, type ChatScript, type FakeServer } from './server.js';

export interface FakeLlamaServerOptions {
  readonly alias?: string;
  readonly script?: ChatScript;
  /** Start in the loading state (health 503, requests 503) until `finishLoading()`. */
  readonly loading?: boolean;
  /** Require this API key (llama-server --api-key). */
  readonly apiKey?: string;
}

export interface FakeLlamaServer extends FakeServer {
  finishLoading(): void;
}

const LOADING = { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } };

export async function startFakeLlamaServer(options: FakeLlamaServerOptions = {}): Promise<FakeLlamaServer> {
  const alias = options.alias ?? 'qwen2.5-coder-7b-instruct-q4_k_m.gguf';
  const script = options.script ?? defaultScript;
  let loading = options.loading ?? false;
  const timings = (prompt: number, predicted: number) => ({
    prompt_n: prompt,
    prompt_ms: 12.5,
    prompt_per_token_ms: 1.04,
    prompt_per_second: 960.0,
    predicted_n: predicted,
    predicted_ms: 80.2,
    predicted_per_token_ms: 26.7,
    predicted_per_second: 37.4,
  });
  const server = await startFakeServer(async (request, res) => {
    if (request.path === '/health' || request.path === '/v1/health') {
      if (loading) sendJson(res, 503, LOADING);
      else sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendJson(res, 401, { error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' } });
      return;
    }
    if (loading && request.path !== '/v1/models') {
      sendJson(res, 503, LOADING);
      return;
    }
    const created = Math.floor(Date.now() / 1000);
    switch (`${request.method} ${request.path}`) {
      case 'GET /v1/models':
      case 'GET /models':
        sendJson(res, 200, {
          object: 'list',
          data: [
            {
              id: alias,
              object: 'model',
              created,
              owned_by: 'llamacpp',
              meta: loading ? null : { vocab_type: 2, n_vocab: 128256, n_ctx_train: 131072, n_params: 8030261312, size: 4912898304 },
            },
          ],
        });
        return;
      case 'POST /v1/chat/completions': {
        const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
          `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created, model: alias, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
        await playStream(res, script(request), {
          contentType: 'text/event-stream',
          delta: (text) => chunk({ content: text }, null),
          terminal: (usage) => [chunk({}, 'stop', { timings: timings(usage.input, usage.output) }), 'data: [DONE]\n\n'],
        });
        return;
      }
      case 'POST /completion':
        await playStream(res, script(request), {
          contentType: 'text/event-stream',
          delta: (text) => `data: ${JSON.stringify({ index: 0, content: text, tokens: [], stop: false })}\n\n`,
          terminal: (usage) => [
            `data: ${JSON.stringify({ index: 0, content: '', tokens: [], stop: true, model: alias, stop_type: 'eos', tokens_predicted: usage.output, tokens_evaluated: usage.input, timings: timings(usage.input, usage.output) })}\n\n`,
          ],
        });
        return;
      default:
        notFound(res);
    }
  });
  return {
    ...server,
    finishLoading: () => {
      loading = false;
    },
  };
}
