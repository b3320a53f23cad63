/**
 * Pure mapping of what happened into the closed set of failure kinds. Adapters call the piece
 * that fits their signal (an HTTP status, an error text, a process result); resilience decides
 * on the kind alone.
 */
import type { ProcessResult } from '../process/spawn-process.js';
import { abortKind } from '../shared/abort.js';
import type { AgentError, AgentEvent, FailureKind } from './spec.js';

export function kindFromHttpStatus(status: number): FailureKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status === 402) return 'quota';
  if (status === 404) return 'not_installed';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server';
  return 'task_failed';
}

const MESSAGE_RULES: readonly (readonly [RegExp, FailureKind])[] = [
  [/\b(401|403)\b|unauthori[sz]ed|authenticat|invalid api key|api key not valid|permission denied.*api|forbidden/i, 'auth'],
  [/\b429\b|rate.?limit|too many requests/i, 'rate_limit'],
  [/quota|insufficient.?credit|credit balance|billing|resource.?exhausted/i, 'quota'],
  [/ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|(unable|could not|cannot|failed to) connect|connection (refused|reset|error)|fetch failed|network|socket hang up|dns/i, 'network'],
  [/\b5\d\d\b|internal server error|bad gateway|service unavailable|overloaded|high demand/i, 'server'],
  [/timed? ?out|timeout|deadline exceeded/i, 'timeout'],
];

/** Classifies an error text (a CLI's error event, stderr tail); undefined when nothing matches. */
export function kindFromMessage(message: string): FailureKind | undefined {
  for (const [pattern, kind] of MESSAGE_RULES) if (pattern.test(message)) return kind;
  return undefined;
}

/**
 * The failure a process result implies by itself, before any output is considered:
 * cancelled and timed-out runs, binaries that could not be started.
 */
export function errorFromProcess(result: ProcessResult, command: string): AgentError | undefined {
  if (result.isCanceled) return { kind: 'cancelled', message: 'cancelled' };
  if (result.timedOut) return { kind: 'timeout', message: timedOutMessage(result.durationMs) };
  if (result.spawnError) {
    const code = result.spawnError.code;
    if (code === 'ENOENT') return { kind: 'not_installed', message: `${command} is not installed (not found on PATH)` };
    if (code === 'EACCES') return { kind: 'not_installed', message: `${command} is not executable` };
    if (code === 'E2BIG') {
      return {
        kind: 'config',
        message: `cannot start ${command}: its arguments exceed the system's limit (E2BIG); send the prompt on stdin instead`,
      };
    }
    return { kind: 'config', message: `cannot start ${command}: ${result.spawnError.message}` };
  }
  return undefined;
}

/** "timed out after N s", for a run stopped by its time limit after `elapsedMs`. */
export function timedOutMessage(elapsedMs: number): string {
  return `timed out after ${Math.round(elapsedMs / 1000)} s`;
}

/** The failure of a run whose signal aborted: its time limit (a TimeoutError reason) or a cancel. */
export function errorFromAbort(signal: AbortSignal, elapsedMs: number): AgentError {
  return abortKind(signal) === 'timeout'
    ? { kind: 'timeout', message: timedOutMessage(elapsedMs) }
    : { kind: 'cancelled', message: 'cancelled' };
}

/** An error for a process that exited non-zero without telling us why in its output. */
export function errorFromExit(result: ProcessResult, command: string): AgentError {
  const tail = lastLines(result.stderrTail, 5);
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${String(result.exitCode)}`;
  return {
    kind: kindFromMessage(tail) ?? 'task_failed',
    message: `${command} ${how}${tail ? `: ${tail}` : ''}`,
  };
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n').trim();
}

/** How every adapter ends a failed run: the error, then the one `finish` that carries it. */
export function failureEvents(error: AgentError): AgentEvent[] {
  return [
    { type: 'error', error },
    { type: 'finish', success: false, error },
  ];
}
