/**
 * The non-streaming API is a fold over the streaming one: `runAgent` consumes an adapter's
 * events (forwarding each to `onEvent` for live display) and returns one `AgentResult`.
 *
 * It also owns the step's time limit: `timeoutMs` and the caller's signal become one signal
 * (./call-signal.ts), and that is all the adapter (and the resilience middleware around it, with
 * its retries and backoff) gets — so the limit bounds the whole call.
 */
import path from 'node:path';
import { errorMessage } from '../shared/errors.js';
import type {
  AgentAdapterV1,
  AgentError,
  AgentEvent,
  AgentRequest,
  AgentResult,
  AgentRunOptions,
  ProposedChangeSummary,
  Refusal,
  Usage,
} from './spec.js';
import { callSignal } from './call-signal.js';
import { capText, createBoundedText, createEventLimiter, DEFAULT_OUTPUT_LIMIT_BYTES } from './output-limit.js';
import { extractSuggestions } from './suggestions.js';

export interface RunAgentOptions {
  readonly signal?: AbortSignal;
  /** The agent's time limit for this call, retries included; aborting past it ends as `timeout`. */
  readonly timeoutMs?: number;
  /**
   * settings.output_limit_bytes: the most kept of the output (head and tail around a cut marker)
   * and shown through `onEvent`; default 1 MiB.
   */
  readonly outputLimitBytes?: number;
  readonly context?: AgentRunOptions['context'];
  readonly onStderr?: AgentRunOptions['onStderr'];
  readonly onEvent?: (event: AgentEvent) => void;
  /** The agent's text as it arrives, before any limit (settings.keep_full_output). */
  readonly onFullText?: (text: string) => void;
  /**
   * Detects files changed in the working directory during the run (git status or a snapshot).
   * Returns paths relative to `cwd`; merged with what the agent itself reported.
   */
  readonly detectChanges?: (cwd: string) => Promise<() => Promise<readonly string[]>>;
}

export async function runAgent(
  adapter: AgentAdapterV1,
  request: AgentRequest,
  options: RunAgentOptions = {},
): Promise<AgentResult> {
  const started = performance.now();
  const finishDetection = options.detectChanges ? await options.detectChanges(request.cwd) : undefined;
  const limitBytes = options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES;
  const fold = createFold(adapter.name, request.cwd, limitBytes);
  const limit = createEventLimiter(limitBytes);
  const call = options.timeoutMs === undefined ? undefined : callSignal(options.signal, options.timeoutMs);
  try {
    return await foldRun(adapter, request, options, call?.signal ?? options.signal, { started, fold, limit, finishDetection });
  } finally {
    call?.dispose();
  }
}

async function foldRun(
  adapter: AgentAdapterV1,
  request: AgentRequest,
  options: RunAgentOptions,
  signal: AbortSignal | undefined,
  run: {
    readonly started: number;
    readonly fold: ReturnType<typeof createFold>;
    readonly limit: ReturnType<typeof createEventLimiter>;
    readonly finishDetection: (() => Promise<readonly string[]>) | undefined;
  },
): Promise<AgentResult> {
  const { fold, limit, finishDetection } = run;
  try {
    const runOptions: AgentRunOptions = {
      ...(signal ? { signal } : {}),
      ...(options.context ? { context: options.context } : {}),
      ...(options.onStderr ? { onStderr: options.onStderr } : {}),
    };
    for await (const event of adapter.doRun(request, runOptions)) {
      fold.add(event);
      if (options.onFullText && (event.type === 'text-delta' || event.type === 'text')) options.onFullText(event.type === 'text' ? `${event.text}\n` : event.text);
      if (!options.onEvent) continue;
      const shown = limit(event);
      if (shown) options.onEvent(shown);
    }
  } catch (error) {
    // Adapters report failures as events; a throw is a bug in the adapter, still kept as a result.
    fold.add({ type: 'error', error: { kind: 'bad_output', message: `adapter error: ${errorMessage(error)}` } });
  }
  const detected = finishDetection ? await finishDetection() : [];
  const result = fold.result(Math.round(performance.now() - run.started), detected);
  const timedOut = signal?.aborted === true && options.signal?.aborted !== true;
  if (!timedOut || result.success || options.timeoutMs === undefined) return result;
  // Whatever the stopped agent said last, the reason it stopped is its time limit.
  return { ...result, error: { kind: 'timeout', message: `timed out after ${options.timeoutMs / 1000} s` } };
}

/** Folds events into a result; exported so tests and other runners share the exact rules. */
export function createFold(agent: string, cwd: string, limitBytes = DEFAULT_OUTPUT_LIMIT_BYTES) {
  const text = createBoundedText(limitBytes);
  let lastMessage: string | undefined;
  let finalOutput: string | undefined;
  let finished: { success: boolean; error?: AgentError } | undefined;
  let lastError: AgentError | undefined;
  let sessionId: string | undefined;
  const files = new Set<string>();
  const proposed = new Map<string, ProposedChangeSummary>();
  // Keyed by the tool call's id when the CLI gives one, so a refusal reported twice counts once.
  const refusals = new Map<string, Refusal>();
  let usage: { inputTokens: number; outputTokens: number; costUsd?: number } = { inputTokens: 0, outputTokens: 0 };

  /** Paths inside cwd become cwd-relative and normalised ("./a.txt" = "a.txt"); others stay absolute. */
  const relative = (file: string): string => {
    if (!path.isAbsolute(file)) return path.normalize(file);
    const inside = path.relative(cwd, file);
    return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? inside : file;
  };

  return {
    add(event: AgentEvent): void {
      switch (event.type) {
        case 'text-delta':
          text.append(event.text);
          break;
        case 'text':
          lastMessage = capText(event.text, limitBytes);
          break;
        case 'file-change':
          files.add(relative(event.path));
          break;
        case 'proposed-change':
          proposed.set(event.path, {
            path: event.path,
            content: event.content,
            applied: event.applied,
            ...(event.note ? { note: event.note } : {}),
          });
          break;
        case 'refusal':
          refusals.set(event.id ?? `${event.tool}\0${event.target ?? ''}\0${event.reason}`, {
            tool: event.tool,
            ...(event.target !== undefined ? { target: event.target } : {}),
            reason: event.reason,
          });
          break;
        case 'usage':
          usage = addUsage(usage, event.usage);
          break;
        case 'session':
          sessionId = event.sessionId;
          break;
        case 'error':
          lastError = event.error;
          break;
        case 'finish':
          finished = { success: event.success, ...(event.error ? { error: event.error } : {}) };
          if (event.output !== undefined) finalOutput = capText(event.output, limitBytes);
          break;
        case 'start':
        case 'tool-call':
        case 'tool-result':
          break;
      }
    },
    result(durationMs: number, detected: readonly string[]): AgentResult {
      const output = finalOutput ?? lastMessage ?? text.text();
      const success = (finished?.success ?? false) && !finished?.error;
      const error: AgentError | undefined =
        finished?.error ??
        lastError ??
        (!finished
          ? { kind: 'bad_output', message: 'the agent ended without a result' }
          : success
            ? undefined
            : { kind: 'task_failed', message: 'the agent reported failure without a reason' });
      for (const file of detected) files.add(file);
      return {
        agent,
        success,
        output,
        ...(success || !error ? {} : { error }),
        filesModified: [...files].sort(),
        suggestions: extractSuggestions(output),
        ...(proposed.size > 0 ? { proposedChanges: [...proposed.values()] } : {}),
        ...(refusals.size > 0 ? { refusals: [...refusals.values()] } : {}),
        usage,
        ...(sessionId ? { sessionId } : {}),
        durationMs,
      };
    },
  };
}

function addUsage(a: Usage, b: Usage): { inputTokens: number; outputTokens: number; costUsd?: number } {
  const cost = a.costUsd === undefined && b.costUsd === undefined ? undefined : (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(cost === undefined ? {} : { costUsd: cost }),
  };
}
