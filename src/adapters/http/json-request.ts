/**
 * Small JSON calls to a local backend's management API (versions, model lists, delete), with a
 * short default timeout, a zod schema at the boundary, and failures as BackendCallError with the
 * URL in the message.
 */
import type { z } from 'zod';
import { noAnswerMessage, unreachableMessage } from '../../shared/unreachable.js';
import { parseJsonFrame } from './frames.js';
import { errorTextFromBody } from './http-failure.js';
import { httpRequest } from './request.js';

/** Why a management call failed: unreachable (with the transport code), an HTTP status, or a bad body. */
export class BackendCallError extends Error {
  readonly status: number | undefined;
  readonly unreachable: boolean;
  constructor(message: string, options: { status?: number; unreachable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'BackendCallError';
    this.status = options.status;
    this.unreachable = options.unreachable ?? false;
  }
}

export interface JsonCallOptions {
  readonly method?: string;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export async function callJson<T extends z.ZodType>(url: string, schema: T, options: JsonCallOptions = {}): Promise<z.infer<T>> {
  const text = await callText(url, options);
  const parsed = schema.safeParse(parseJsonFrame(text));
  if (!parsed.success) throw new BackendCallError(`${url} answered with unexpected JSON: ${text.slice(0, 200)}`);
  return parsed.data;
}

/** The body of a 2xx reply as text; throws BackendCallError otherwise. */
export async function callText(url: string, options: JsonCallOptions = {}): Promise<string> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response;
  try {
    response = await httpRequest(url, {
      ...(options.method ? { method: options.method } : {}),
      ...(options.json !== undefined ? { json: options.json } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (timeout.aborted) throw new BackendCallError(noAnswerMessage(url, options.timeoutMs ?? 5000), { unreachable: true });
    throw new BackendCallError(unreachableMessage(url, error), { unreachable: true, cause: error });
  }
  const text = await response.text();
  if (response.status < 200 || response.status >= 300) {
    throw new BackendCallError(`${url} answered HTTP ${response.status}: ${errorTextFromBody(text)}`, { status: response.status });
  }
  return text;
}
