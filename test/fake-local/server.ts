/**
 * The loopback harness shared by the fake local model servers: a node:http server on
 * 127.0.0.1 port 0, JSON body decoding, a request log, and the scripted reply vocabulary that
 * all three fakes understand (text streamed in chunks, HTTP errors, a stream cut off by
 * destroying the socket, a stream that ends without its terminal frame, a slow first byte).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
  /** The model the body names (`model`), if any. */
  readonly model: string | undefined;
  /** The text of the user messages (or the prompt), joined by newlines. */
  readonly userText: string;
}

export type FakeChatReply =
  /** Streams `chunks` as deltas and ends properly. */
  | {
      readonly type: 'text';
      readonly chunks: readonly string[];
      /** Waits this long before sending the status line (a model loading). */
      readonly firstByteDelayMs?: number;
      readonly chunkDelayMs?: number;
      readonly usage?: { readonly input: number; readonly output: number };
    }
  /** Answers with this status and JSON body instead of a stream. */
  | { readonly type: 'error'; readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  /** Streams `chunks`, then destroys the socket (server died mid-answer). */
  | { readonly type: 'cut'; readonly chunks: readonly string[] }
  /** Streams `chunks` and ends the response cleanly but without the terminal frame. */
  | { readonly type: 'truncated'; readonly chunks: readonly string[] }
  /** Sends headers, then nothing, forever (until the client goes away). */
  | { readonly type: 'hang' }
  /** A stream whose first frame is not JSON. */
  | { readonly type: 'malformed' };

export type ChatScript = (request: FakeRequest) => FakeChatReply;

export const DEFAULT_ANSWER = ['Quicksort ', 'picks a pivot ', 'and partitions.'];

export const defaultScript: ChatScript = () => ({ type: 'text', chunks: DEFAULT_ANSWER });

export interface FakeServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

export type Handler = (request: FakeRequest, response: http.ServerResponse) => Promise<void> | void;

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        headers: req.headers,
        body,
        model: modelOf(body),
        userText: userTextOf(body),
      };
      requests.push(request);
      Promise.resolve(handler(request, res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('404 page not found');
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes frames with the reply's pacing; returns false when the client went away. */
export async function writeFrames(res: http.ServerResponse, frames: readonly string[], delayMs = 0): Promise<boolean> {
  for (const frame of frames) {
    if (res.destroyed) return false;
    res.write(frame);
    if (delayMs > 0) await sleep(delayMs);
  }
  return !res.destroyed;
}

/**
 * Plays a streaming reply: `frame(i, text)` renders delta i, `terminal()` the closing frame(s).
 * Handles every scripted reply type the same way for all three fakes.
 */
export async function playStream(
  res: http.ServerResponse,
  reply: FakeChatReply,
  format: {
    readonly contentType: string;
    readonly delta: (text: string) => string;
    readonly terminal: (usage: { input: number; output: number }) => readonly string[];
    readonly errorBody?: (status: number, body: unknown) => unknown;
  },
): Promise<void> {
  switch (reply.type) {
    case 'error':
      sendJson(res, reply.status, reply.body, reply.headers);
      return;
    case 'hang':
      res.writeHead(200, { 'content-type': format.contentType });
      res.flushHeaders();
      await new Promise<void>((resolve) => res.on('close', () => resolve()));
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': format.contentType });
      res.end(format.contentType.includes('event-stream') ? 'data: this is not json\n\n' : 'this is not json\n');
      return;
    case 'text': {
      if (reply.firstByteDelayMs) await sleep(reply.firstByteDelayMs);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': format.contentType });
      const ok = await writeFrames(res, reply.chunks.map(format.delta), reply.chunkDelayMs ?? 0);
      if (!ok) return;
      for (const frame of format.terminal(reply.usage ?? { input: 12, output: reply.chunks.length })) res.write(frame);
      res.end();
      return;
    }
    case 'cut':
      res.writeHead(200, { 'content-type': format.contentType });
      await writeFrames(res, reply.chunks.map(format.delta));
      // Let the frames leave before the socket dies, as when a server process crashes.
      await sleep(50);
      res.socket?.destroy();
      return;
    case 'truncated':
      res.writeHead(200, { 'content-type': format.contentType });
      await writeFrames(res, reply.chunks.map(format.delta));
      res.end();
      return;
  }
}

function modelOf(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'model' in body) {
    const model = (body).model;
    return typeof model === 'string' ? model : undefined;
  }
  return undefined;
}

function userTextOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as { messages?: unknown; prompt?: unknown };
  if (typeof record.prompt === 'string') return record.prompt;
  if (!Array.isArray(record.messages)) return '';
  return record.messages
    .filter((m): m is { role: string; content: string } => typeof m === 'object' && m !== null && (m as { role?: unknown }).role === 'user')
    .map((m) => m.content)
    .join('\n');
}
