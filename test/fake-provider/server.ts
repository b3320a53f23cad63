/**
 * One loopback HTTP server that speaks the four provider APIs the coding CLIs call — Anthropic
 * Messages, OpenAI Responses, OpenAI Chat Completions and Gemini — on 127.0.0.1, port 0. Each test
 * starts its own, points a CLI at `url`, scripts the replies and reads `requests` afterwards.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeAnthropic, encodeAnthropic } from './anthropic.js';
import { decodeGemini, encodeGemini, sideCallText } from './gemini.js';
import { decodeChat, encodeChat } from './openai-chat.js';
import { decodeResponses, encodeResponses } from './openai-responses.js';
import { answerText } from './scripts.js';
import type { ProviderApi, ProviderRequest, Reply, Script } from './types.js';
import { json, type WireResponse } from './wire.js';

export interface FakeProvider {
  /** `http://127.0.0.1:<port>` (no trailing slash, no `/v1`). */
  readonly url: string;
  readonly port: number;
  /** Every API request so far, oldest first (probes like `HEAD /` are not in here). */
  readonly requests: readonly ProviderRequest[];
  /** Every HTTP request line seen, including probes: `HEAD /`, `POST /v1/messages?beta=true`. */
  readonly hits: readonly string[];
  /** Replaces the script for the requests that follow. */
  setScript(script: Script): void;
  close(): Promise<void>;
}

export interface FakeProviderOptions {
  /** Decides each reply; default: always the text "hi from fake". */
  readonly script?: Script;
}

const DEFAULT_MODEL = 'fake-model';

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  let script: Script = options.script ?? answerText('hi from fake');
  const requests: ProviderRequest[] = [];
  const hits: string[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, json(500, { error: { message: String(error) } }));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    hits.push(`${method} ${url}`);
    const raw = await readBody(req);
    const api = route(method, url);
    if (!api) {
      if (method === 'HEAD' || (method === 'GET' && (url === '/' || url === ''))) {
        res.writeHead(200).end();
        return;
      }
      if (method === 'GET' && /^\/v1\/models\/?$/.test(url)) {
        send(res, json(200, { object: 'list', data: [{ id: DEFAULT_MODEL, object: 'model', owned_by: 'fake' }] }));
        return;
      }
      send(res, json(404, { error: { message: `fake provider: no route for ${method} ${url}` } }));
      return;
    }
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : {};
    } catch {
      send(res, json(400, { error: { message: 'fake provider: body is not JSON' } }));
      return;
    }
    const request = decode(api, method, url, req.headers, body);
    const history = [...requests];
    requests.push(request);
    if (request.sideCall) {
      send(res, encodeGemini({ type: 'text', text: sideCallText(body) }, request.model ?? DEFAULT_MODEL, request.stream));
      return;
    }
    const reply = script(request, history);
    if (reply.type === 'disconnect') {
      req.socket.destroy();
      return;
    }
    send(res, encode(api, reply, request));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    hits,
    setScript(next) {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: connections are refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function route(method: string, url: string): ProviderApi | undefined {
  if (method !== 'POST') return undefined;
  const path = url.split('?')[0] ?? url;
  if (/\/v1\/messages$/.test(path)) return 'anthropic';
  if (/\/responses$/.test(path)) return 'openai-responses';
  if (/\/chat\/completions$/.test(path)) return 'openai-chat';
  if (/:(stream)?[gG]enerateContent$/.test(path)) return 'gemini';
  return undefined;
}

function decode(
  api: ProviderApi,
  method: string,
  url: string,
  headers: IncomingMessage['headers'],
  body: unknown,
): ProviderRequest {
  const decoded =
    api === 'anthropic'
      ? { ...decodeAnthropic(body), sideCall: false }
      : api === 'openai-responses'
        ? { ...decodeResponses(body), sideCall: false }
        : api === 'openai-chat'
          ? { ...decodeChat(body), sideCall: false }
          : decodeGemini(url, body);
  return {
    api,
    method,
    url,
    headers: { ...headers },
    body,
    model: decoded.model,
    stream: decoded.stream,
    toolResults: decoded.toolResults,
    userText: decoded.userText,
    sideCall: decoded.sideCall,
  };
}

function encode(api: ProviderApi, reply: Exclude<Reply, { type: 'disconnect' }>, request: ProviderRequest): WireResponse {
  const model = request.model ?? DEFAULT_MODEL;
  switch (api) {
    case 'anthropic':
      return encodeAnthropic(reply, model, request.stream);
    case 'openai-responses':
      return encodeResponses(reply, model);
    case 'openai-chat':
      return encodeChat(reply, model, request.stream);
    case 'gemini':
      return encodeGemini(reply, model, request.stream);
  }
}

function send(res: ServerResponse, response: WireResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
