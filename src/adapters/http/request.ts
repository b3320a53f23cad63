/**
 * One HTTP request over node:http(s), with the body as an async iterable of chunks.
 *
 * Why not the global `fetch`: its undici dispatcher has hidden 300 s header and body timeouts, so
 * a local model that takes longer to load (or pause) than that fails with a confusing error even
 * though the agent's own `timeout` is an hour. Here the only limits are the caller's AbortSignal
 * (cancel or the agent's timeout) — a slow first byte within that time just works.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body is serialised and sent with `content-type: application/json`. */
  readonly json?: unknown;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as raw chunks; a connection cut mid-body throws (code ECONNRESET / "aborted"). */
  readonly body: AsyncIterable<Buffer>;
  /** Reads the rest of the body as text (bounded, for error messages and small JSON replies). */
  text(limitBytes?: number): Promise<string>;
  /** Drops the rest of the body and frees the socket. */
  discard(): void;
}

const DEFAULT_TEXT_LIMIT = 4 * 1024 * 1024;

/**
 * Resolves once the status line and headers arrived; rejects with the transport error
 * (ECONNREFUSED, ENOTFOUND, ...) or the signal's reason.
 */
export function httpRequest(url: string, init: HttpRequestInit = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const payload = init.json === undefined ? undefined : JSON.stringify(init.json);
    const headers: Record<string, string> = { accept: '*/*', ...init.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (init.signal?.aborted) {
      reject(abortReason(init.signal));
      return;
    }
    // agent: false — a fresh connection per call. Calls are few and long; a pooled keep-alive
    // socket that the server (a restarted Ollama) already closed would fail as ECONNRESET.
    const request = client.request(target, { method: init.method ?? (payload ? 'POST' : 'GET'), headers, agent: false });
    const onAbort = (): void => {
      request.destroy(abortReason(init.signal));
    };
    init.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      init.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    request.on('response', (response) => {
      response.on('close', () => init.signal?.removeEventListener('abort', onAbort));
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: response,
        async text(limitBytes = DEFAULT_TEXT_LIMIT) {
          const chunks: Buffer[] = [];
          let size = 0;
          for await (const chunk of response as AsyncIterable<Buffer>) {
            size += chunk.length;
            if (size > limitBytes) {
              response.destroy();
              break;
            }
            chunks.push(chunk);
          }
          return Buffer.concat(chunks).toString('utf8');
        },
        discard() {
          response.resume();
          response.destroy();
        },
      });
    });
    request.end(payload);
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}

/** Base URL joined with a path, without doubled slashes. */
export function joinUrl(base: string, pathname: string): string {
  return `${base.replace(/\/+$/, '')}/${pathname.replace(/^\/+/, '')}`;
}
