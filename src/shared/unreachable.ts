/**
 * One wording for "the server did not answer at all", whoever notices it (a step, `models`,
 * `agents`, `doctor`, the offline probe): "<target> is not reachable (connection refused)".
 */

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
};

/** Codes that mean nothing was ever connected: the server is down, or the address is wrong. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The system code of a failed request, its own or its cause's (fetch wraps it). */
export function transportCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : transportCode(cause);
}

/** True when the request never reached a server (refused, no such host, no route). */
export function neverConnected(error: unknown): boolean {
  const code = transportCode(error);
  return code !== undefined && NEVER_CONNECTED.has(code);
}

/** "connection refused", "host not found", …; the code itself when it has no wording here. */
export function unreachableReason(codeOrError: unknown): string {
  const code = typeof codeOrError === 'string' ? codeOrError : transportCode(codeOrError);
  if (code === undefined) return codeOrError instanceof Error ? codeOrError.message : 'no answer';
  return REASONS[code] ?? code;
}

/** "http://127.0.0.1:8080/health did not answer within 1.5 s". */
export function noAnswerMessage(target: string, timeoutMs: number): string {
  const within = timeoutMs < 1000 ? `${Math.round(timeoutMs)} ms` : `${Number((timeoutMs / 1000).toFixed(1))} s`;
  return `${target} did not answer within ${within}`;
}

/** "Ollama at http://127.0.0.1:11434 is not reachable (connection refused)". */
export function unreachableMessage(target: string, codeOrError: unknown): string {
  return `${target} is not reachable (${unreachableReason(codeOrError)})`;
}
