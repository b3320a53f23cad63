/**
 * A fake Ollama written from docs/api.md: /api/version, /api/tags, /api/chat (NDJSON stream,
 * final chunk with done:true and nanosecond durations), /api/pull (NDJSON progress), and
 * DELETE /api/delete. Models are kept in memory so pull → tags → delete round-trips.
 */
import type http from 'node:http';
import {
  defaultScript,
  notFound,
  playStream,
  sendJson,
  sleep,
  startFakeServer,
  type ChatScript,
  type FakeRequest,
  type FakeServer,
} from './server.js';

export interface FakeOllamaOptions {
  /** Models installed at start. */
  readonly models?: readonly string[];
  readonly script?: ChatScript;
  /** Models that the fake "registry" cannot find (pull fails). Default: names starting with "nonexistent". */
  readonly unknownUpstream?: (model: string) => boolean;
  /** Pause between pull progress lines (to interrupt a pull in a test). */
  readonly pullStepDelayMs?: number;
  /** Number of "downloading" progress lines of a pull. */
  readonly pullSteps?: number;
}

export interface FakeOllama extends FakeServer {
  readonly models: Set<string>;
}

const LAYER_BYTES = 7_365_960_935;

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const models = new Set(options.models ?? ['mistral:7b-instruct', 'llama3:latest']);
  const script = options.script ?? defaultScript;
  const unknownUpstream = options.unknownUpstream ?? ((model: string) => model.startsWith('nonexistent'));
  const server = await startFakeServer(async (request, res) => {
    const key = `${request.method} ${request.path}`;
    switch (key) {
      case 'GET /api/version':
        sendJson(res, 200, { version: '0.13.5' });
        return;
      case 'GET /api/tags':
        sendJson(res, 200, {
          models: [...models].map((name) => ({
            name,
            model: name,
            modified_at: '2025-01-07T09:32:18.757212583-08:00',
            size: 3825819519,
            digest: 'fe938a131f40e6f6d40083c9f0f430a515233eb2edaa6d72eb85c50d64f2300e',
            details: { format: 'gguf', family: 'llama', parameter_size: '7B', quantization_level: 'Q4_0' },
          })),
        });
        return;
      case 'POST /api/chat':
        await chat(request, res);
        return;
      case 'POST /api/pull':
        await pull(request, res);
        return;
      case 'DELETE /api/delete': {
        const name = modelName(request);
        if (name && models.delete(name)) {
          res.writeHead(200);
          res.end();
        } else {
          sendJson(res, 404, { error: `model '${name ?? ''}' not found` });
        }
        return;
      }
      default:
        notFound(res);
    }
  });

  async function chat(request: FakeRequest, res: http.ServerResponse): Promise<void> {
    const model = request.model ?? '';
    if (!models.has(model)) {
      sendJson(res, 404, { error: `model '${model}' not found` });
      return;
    }
    const created = new Date().toISOString();
    await playStream(res, script(request), {
      contentType: 'application/x-ndjson',
      delta: (text) => `${JSON.stringify({ model, created_at: created, message: { role: 'assistant', content: text }, done: false })}\n`,
      terminal: (usage) => [
        `${JSON.stringify({
          model,
          created_at: created,
          message: { role: 'assistant', content: '' },
          done: true,
          done_reason: 'stop',
          total_duration: 5_043_500_667,
          load_duration: 5_025_959,
          prompt_eval_count: usage.input,
          prompt_eval_duration: 325_953_000,
          eval_count: usage.output,
          eval_duration: 4_709_213_000,
        })}\n`,
      ],
    });
  }

  async function pull(request: FakeRequest, res: http.ServerResponse): Promise<void> {
    const name = modelName(request) ?? '';
    const line = (value: unknown): boolean => (res.destroyed ? false : res.write(`${JSON.stringify(value)}\n`) || true);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    line({ status: 'pulling manifest' });
    if (unknownUpstream(name)) {
      line({ error: 'pull model manifest: file does not exist' });
      res.end();
      return;
    }
    const steps = options.pullSteps ?? 10;
    const digest = 'sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa';
    line({ status: `pulling ${digest.slice(7, 19)}`, digest, total: LAYER_BYTES });
    for (let step = 1; step <= steps; step++) {
      await sleep(options.pullStepDelayMs ?? 5);
      if (res.destroyed) return;
      line({ status: `pulling ${digest.slice(7, 19)}`, digest, total: LAYER_BYTES, completed: Math.round((LAYER_BYTES * step) / steps) });
    }
    line({ status: 'verifying sha256 digest' });
    line({ status: 'writing manifest' });
    line({ status: 'removing any unused layers' });
    models.add(name);
    line({ status: 'success' });
    res.end();
  }

  return { ...server, models };
}

/** Newer clients send `model`, older ones `name`. */
function modelName(request: FakeRequest): string | undefined {
  if (request.model) return request.model;
  const body = request.body as { name?: unknown } | undefined;
  return typeof body?.name === 'string' ? body.name : undefined;
}
