/**
 * The shared body of every HTTP adapter, the counterpart of cli-runner: send one streaming
 * request, turn each frame into AgentEvents with the adapter's decoder, and end with exactly one
 * `finish`. A stream that ends before the decoder saw its terminal frame (NDJSON without
 * `done:true`, SSE without `[DONE]` / `stop:true`, a socket destroyed mid-answer) is a failure of
 * kind network — never a half answer reported as success, never a hang.
 */
import { localEditEvents } from '../local-edits.js';
import { createBoundedText, DEFAULT_OUTPUT_LIMIT_BYTES } from '../output-limit.js';
import type { AgentError, AgentEvent, AgentRequest, AgentRunOptions } from '../spec.js';
import { readNdjsonLines, readSseData } from './frames.js';
import { errorFromAbort, errorFromHttpStatus, errorFromTransport } from './http-failure.js';
import { httpRequest, type HttpResponse } from './request.js';

/** What one frame meant. `done` marks the terminal frame; `error` ends the run as failed. */
export interface DecodedFrame {
  readonly events: readonly AgentEvent[];
  readonly done?: boolean;
  readonly error?: AgentError;
}

/** Per-run decoder of the stream's frames (one NDJSON line or one SSE `data`). */
export interface StreamDecoder {
  frame(data: string): DecodedFrame;
}

export interface HttpAgentInvocation {
  readonly url: string;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly framing: 'ndjson' | 'sse';
  readonly decoder: StreamDecoder;
  /** Used in messages: "Ollama at http://127.0.0.1:11434". */
  readonly target: string;
  readonly model?: string;
  /** Whether `models pull` can fetch a missing model (Ollama): shapes the not-found hint. */
  readonly pullable?: boolean;
  readonly request: AgentRequest;
  /** settings.apply_local_edits. */
  readonly applyLocalEdits?: boolean;
  /** The most of the answer kept (head and tail around a cut marker); default 1 MiB. */
  readonly outputLimitBytes?: number;
}

export async function* runHttpAgent(invocation: HttpAgentInvocation, options: AgentRunOptions = {}): AsyncGenerator<AgentEvent> {
  const started = performance.now();
  // The run's one signal: the user's cancel and the step's time limit (its reason tells which).
  const signal = options.signal;
  const context = { target: invocation.target, started, ...(signal ? { signal } : {}) };
  const fail = (error: AgentError): AgentEvent[] => [
    { type: 'error', error },
    { type: 'finish', success: false, error },
  ];

  yield { type: 'start', detail: invocation.url };
  const answer = createBoundedText(invocation.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES);
  let done = false;
  let response: HttpResponse | undefined;
  try {
    response = await httpRequest(invocation.url, {
      method: 'POST',
      json: invocation.body,
      ...(signal ? { signal } : {}),
      headers: {
        accept: invocation.framing === 'sse' ? 'text/event-stream' : 'application/x-ndjson',
        ...invocation.headers,
      },
    });
    if (response.status < 200 || response.status >= 300) {
      const body = await response.text(64 * 1024);
      yield* fail(
        errorFromHttpStatus(response.status, body, {
          target: invocation.target,
          ...(invocation.model !== undefined ? { model: invocation.model } : {}),
          ...(invocation.pullable ? { pullable: true } : {}),
          ...(typeof response.headers['retry-after'] === 'string' ? { retryAfter: response.headers['retry-after'] } : {}),
        }),
      );
      return;
    }
    const frames = invocation.framing === 'sse' ? readSseData(response.body) : readNdjsonLines(response.body);
    for await (const data of frames) {
      const decoded = invocation.decoder.frame(data);
      for (const event of decoded.events) {
        if (event.type === 'text-delta') answer.append(event.text);
        yield event;
      }
      if (decoded.error) {
        yield* fail(decoded.error);
        return;
      }
      if (decoded.done) {
        done = true;
        break;
      }
    }
  } catch (error) {
    yield* fail(errorFromTransport(error, context));
    return;
  } finally {
    // Also runs when the consumer stops reading: the socket never outlives the run.
    response?.discard();
  }
  if (!done) {
    if (signal?.aborted) {
      yield* fail(errorFromAbort(signal, context));
      return;
    }
    yield* fail({
      kind: 'network',
      message: `${invocation.target}: the stream ended before the model finished (${answer.totalBytes()} bytes received)`,
    });
    return;
  }
  const text = answer.text();
  yield* localEditEvents(text, invocation.request, invocation.applyLocalEdits === true);
  yield { type: 'finish', success: true, output: text };
}
