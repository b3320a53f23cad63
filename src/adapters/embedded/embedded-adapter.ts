/**
 * The `embedded` adapter: a GGUF model run in this process by node-llama-cpp, CPU only. The
 * package and the model load on the first run of such an agent (the model is then shared by
 * every later step in the process); each run gets its own context, streams the answer as
 * text-delta events, reports token counts from the sequence's token meter, and in edit roles
 * turns fenced files into proposed changes exactly like the HTTP local agents.
 */
import path from 'node:path';
import type { LlamaContext, LlamaContextSequence, LlamaModel } from './llama-api.js';
import { errorMessage } from '../../shared/errors.js';
import { errorFromAbort } from '../failure.js';
import { buildChatMessages } from '../http/messages.js';
import { localEditEvents } from '../local-edits.js';
import { createBoundedText, DEFAULT_OUTPUT_LIMIT_BYTES } from '../output-limit.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1, AgentError, AgentEvent, AgentRequest, AgentRunOptions } from '../spec.js';
import { createChunkChannel } from './chunk-channel.js';
import { DEFAULT_CONTEXT_SIZE, parseEmbeddedOptions, resolveModelPath, type EmbeddedOptions } from './embedded-settings.js';
import { checkEmbeddedAvailability } from './embedded-availability.js';
import { EmbeddedLoadError, getEmbeddedModel, getEmbeddedRuntime, logTail } from './llama-runtime.js';
import { checkModelFile } from './model-file.js';

export function createEmbeddedAdapter(settings: AdapterSettings): AgentAdapterV1 {
  const { agent, name } = settings;
  return {
    specificationVersion: 'agent-v1',
    name,
    kind: 'embedded',
    transport: 'embedded',
    local: true,
    doRun(request, options = {}) {
      return runEmbedded(settings, request, options);
    },
    checkAvailable: () => Promise.resolve(checkEmbeddedAvailability(agent)),
  };
}

const fail = (error: AgentError): AgentEvent[] => [
  { type: 'error', error },
  { type: 'finish', success: false, error },
];

async function* runEmbedded(settings: AdapterSettings, request: AgentRequest, options: AgentRunOptions): AsyncGenerator<AgentEvent> {
  const { agent, name } = settings;
  const file = agent.model === undefined ? undefined : resolveModelPath(agent.model);
  yield { type: 'start', ...(file ? { detail: file } : {}) };
  if (options.signal?.aborted) {
    yield* fail(errorFromAbort(options.signal, 0));
    return;
  }
  if (!file) {
    yield* fail({ kind: 'config', message: `agent "${name}" (embedded) has no model configured: set model to the path of a .gguf file` });
    return;
  }
  const parsed = parseEmbeddedOptions(agent.options);
  if (!parsed.ok) {
    yield* fail({ kind: 'config', message: `agent "${name}" (embedded): ${parsed.message}` });
    return;
  }
  const modelFile = checkModelFile(file);
  if (!modelFile.ok) {
    const hint = modelFile.kind === 'not_installed' ? ' (relative paths resolve from the current directory)' : '';
    yield* fail({ kind: modelFile.kind, message: `agent "${name}": ${modelFile.message}${hint}` });
    return;
  }

  const started = performance.now();
  // Stops generation when the run's signal aborts (cancel or time limit) or the consumer stops reading.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([stop.signal, options.signal]) : stop.signal;
  const outcomeOfAbort = (): AgentError | undefined =>
    options.signal?.aborted ? errorFromAbort(options.signal, performance.now() - started) : undefined;

  let context: LlamaContext | undefined;
  let sequence: LlamaContextSequence | undefined;
  let generation: Promise<unknown> | undefined;
  const usage = (meter: LlamaContextSequence['tokenMeter']): AgentEvent => ({
    type: 'usage',
    usage: { inputTokens: meter.usedInputTokens, outputTokens: meter.usedOutputTokens },
  });
  try {
    const [{ binding }, model] = await untilAborted(Promise.all([getEmbeddedRuntime(), getEmbeddedModel(file)]), signal);
    context = await untilAborted(createContext(model, parsed.options, file), signal, (late) => void late.dispose());
    sequence = context.getSequence();
    const messages = buildChatMessages(request);
    const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const user = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n\n');
    // An empty system prompt keeps the library's default one out (as the HTTP agents send none).
    const session = new binding.LlamaChatSession({ contextSequence: sequence, systemPrompt: system });
    const channel = createChunkChannel();
    const o = parsed.options;
    const prompting = session.promptWithMeta(user, {
      signal,
      maxTokens: o.maxTokens,
      onTextChunk: (chunk) => channel.push(chunk),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
      ...(o.topK !== undefined ? { topK: o.topK } : {}),
      ...(o.topP !== undefined ? { topP: o.topP } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    });
    generation = prompting.finally(() => channel.close());
    // Keeps an early rejection from being unhandled while the channel is read.
    generation.catch(() => undefined);
    const answer = createBoundedText(settings.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES);
    for await (const chunk of channel) {
      answer.append(chunk);
      yield { type: 'text-delta', text: chunk };
    }
    const meta = await prompting;
    yield usage(sequence.tokenMeter);
    // The answer is the streamed text; the session's own response trims trailing whitespace.
    const text = answer.text();
    const output = text === '' ? meta.responseText : text;
    yield* localEditEvents(output, request, settings.applyLocalEdits === true);
    yield { type: 'finish', success: true, output };
  } catch (error) {
    // Tokens spent before a cancel or timeout still count.
    if (sequence) yield usage(sequence.tokenMeter);
    const aborted = outcomeOfAbort();
    if (aborted) yield* fail(aborted);
    else if (error instanceof EmbeddedLoadError) yield* fail({ kind: error.kind, message: `agent "${name}": ${error.message}` });
    else yield* fail({ kind: 'task_failed', message: `agent "${name}": generation failed: ${errorMessage(error)}${logTail()}` });
  } finally {
    // Also runs when the consumer stops reading: generation ends before its context is freed.
    stop.abort();
    await generation?.catch(() => undefined);
    await context?.dispose().catch(() => undefined);
  }
}

async function createContext(model: LlamaModel, options: EmbeddedOptions, file: string): Promise<LlamaContext> {
  const contextSize = options.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize);
  try {
    return await model.createContext({ contextSize, threads: options.threads, sequences: 1 });
  } catch (error) {
    throw new EmbeddedLoadError(
      'config',
      `cannot create a ${contextSize}-token context for ${path.basename(file)} (lower options.context_size): ${errorMessage(error)}${logTail()}`,
      { cause: error },
    );
  }
}

/**
 * Waits for `work` unless `signal` aborts first (then rejects with its reason). The work itself
 * goes on; `onLate` receives its value if it arrives after the abort (to free it).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, onLate?: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    void work.then(onLate, () => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    let abandoned = false;
    const onAbort = (): void => {
      abandoned = true;
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (abandoned) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
