/**
 * A fake OpenAI-compatible server (LM Studio / vLLM / LocalAI shape) under /v1: GET /v1/models
 * and POST /v1/chat/completions streaming `chat.completion.chunk` SSE, a usage chunk when
 * `stream_options.include_usage` is set, then `[DONE]`. With `apiKey` it answers 401 to any
 * request without `Authorization: Bearer <key>`.
 */
import { defaultScript, notFound, playStream, sendJson, startFakeServer, type ChatScript, type FakeServer } from './server.js';

export interface FakeOpenAICompatibleOptions {
  readonly models?: readonly string[];
  readonly script?: ChatScript;
  readonly apiKey?: string;
}

export async function startFakeOpenAICompatible(options: FakeOpenAICompatibleOptions = {}): Promise<FakeServer> {
  const models = options.models ?? ['lmstudio-community/qwen2.5-7b-instruct'];
  const script = options.script ?? defaultScript;
  return startFakeServer(async (request, res) => {
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
      return;
    }
    const created = Math.floor(Date.now() / 1000);
    switch (`${request.method} ${request.path}`) {
      case 'GET /v1/models':
        sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'organization_owner' })) });
        return;
      case 'POST /v1/chat/completions': {
        const model = request.model ?? '';
        if (!models.includes(model)) {
          sendJson(res, 404, { error: { message: `The model \`${model}\` does not exist.`, type: 'invalid_request_error', code: 'model_not_found' } });
          return;
        }
        const includeUsage = (request.body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true;
        const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
          `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
        await playStream(res, script(request), {
          contentType: 'text/event-stream',
          delta: (text) => chunk([{ index: 0, delta: { content: text }, finish_reason: null }]),
          terminal: (usage) => [
            chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
            ...(includeUsage
              ? [chunk([], { usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } })]
              : []),
            'data: [DONE]\n\n',
          ],
        });
        return;
      }
      default:
        notFound(res);
    }
  });
}
