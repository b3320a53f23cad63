/**
 * HTTP and transport failures of local model servers, mapped into the closed failure kinds:
 * connection refused / reset / cut off → network, 5xx → server, 404 of a model → not_installed
 * with the command that fixes it, 401/403 → auth, an abort of the run's signal → timeout when
 * its reason is a TimeoutError (the step's time limit), else cancelled.
 */
import { z } from 'zod';
import { errorFromAbort as errorFromRunAbort, kindFromHttpStatus, kindFromMessage } from '../failure.js';
import { neverConnected, transportCode, unreachableMessage } from '../../shared/unreachable.js';
import type { AgentError } from '../spec.js';
import { parseJsonFrame } from './frames.js';

const TRANSPORT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export interface TransportContext {
  /** What was being talked to, for the message ("Ollama at http://127.0.0.1:11434"). */
  readonly target: string;
  /** The run's signal: aborted by the time limit = timeout, otherwise = cancelled. */
  readonly signal?: AbortSignal;
  /** When the run started (performance.now()), for the timeout message. */
  readonly started?: number;
}

/** Why an aborted run stopped: "Ollama at … timed out after N s", or cancelled. */
export function errorFromAbort(signal: AbortSignal, context: TransportContext): AgentError {
  const error = errorFromRunAbort(signal, context.started === undefined ? 0 : performance.now() - context.started);
  return error.kind === 'timeout' ? { ...error, message: `${context.target} ${error.message}` } : error;
}

/** A thrown request or body-read error → AgentError. */
export function errorFromTransport(error: unknown, context: TransportContext): AgentError {
  if (context.signal?.aborted) return errorFromAbort(context.signal, context);
  const code = transportCode(error);
  const text = error instanceof Error ? error.message : String(error);
  if (neverConnected(error)) return { kind: 'network', message: unreachableMessage(context.target, code) };
  if ((code !== undefined && TRANSPORT_CODES.has(code)) || /aborted|socket hang up|terminated|other side closed/i.test(text)) {
    return { kind: 'network', message: `${context.target}: connection lost (${code ?? text})` };
  }
  return { kind: kindFromMessage(text) ?? 'network', message: `${context.target}: ${text}` };
}

/** The error text a server put in its body: Ollama `{"error":"…"}`, OpenAI `{"error":{"message":"…"}}`. */
export function errorTextFromBody(body: string): string {
  const parsed = errorBodySchema.safeParse(parseJsonFrame(body));
  if (parsed.success) {
    const { error, message } = parsed.data;
    if (typeof error === 'string') return error;
    if (error?.message) return error.message;
    if (message) return message;
  }
  return body.trim().slice(0, 500);
}

const errorBodySchema = z.object({
  error: z.union([z.string(), z.object({ message: z.string().optional() })]).optional(),
  message: z.string().optional(),
});

/** The hint every "model not found" carries. */
export function modelNotFoundMessage(model: string): string {
  return `model '${model}' not found, try \`ai-orchestrator models pull ${model}\``;
}

/** A non-2xx reply → AgentError. A 404 (or a body saying the model is missing) becomes not_installed. */
export function errorFromHttpStatus(
  status: number,
  body: string,
  context: { readonly target: string; readonly model?: string; readonly pullable?: boolean; readonly retryAfter?: string },
): AgentError {
  const detail = errorTextFromBody(body);
  const modelMissing = /model .*(not found|does not exist)|not found.*model|no such model|model_not_found/i.test(detail);
  if ((status === 404 || modelMissing) && context.model !== undefined && (modelMissing || /not found/i.test(detail))) {
    return {
      kind: 'not_installed',
      message: context.pullable ? modelNotFoundMessage(context.model) : `model '${context.model}' not found at ${context.target}`,
    };
  }
  const kind = kindFromHttpStatus(status);
  const retryAfterSeconds = parseRetryAfter(context.retryAfter);
  return {
    kind,
    message: `${context.target} answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}

/** `Retry-After: 7` or an HTTP date → seconds to wait (resilience's retry honours it). */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
