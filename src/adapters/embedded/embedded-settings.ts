/**
 * What an `embedded` agent's config means: the GGUF file named by `model` and the generation
 * options in its `options` record. Parsed once per run with safeParse, so a typo in a key or a
 * wrong value is a one-line `config` failure rather than a silent default.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Generation settings of one embedded agent, camelCase after parsing. */
export interface EmbeddedOptions {
  /** CPU threads for evaluation; 0 = every core. */
  readonly threads: number;
  /** Tokens the context holds (prompt + answer); longer answers shift the context. */
  readonly contextSize?: number;
  /** Upper bound of generated tokens per run. */
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly seed?: number;
}

/** Half the cores, at least one: generation is memory-bound and a busy machine stalls with more. */
export function defaultThreads(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

export const DEFAULT_CONTEXT_SIZE = 4096;
export const DEFAULT_MAX_TOKENS = 2048;

const optionsSchema = z.strictObject({
  threads: z.number().int().min(0).max(1_024).optional(),
  // Beyond a million tokens no GGUF model has the context, and the KV cache allocation would fail late.
  context_size: z.number().int().min(32).max(1_048_576).optional(),
  max_tokens: z.number().int().min(1).max(1_048_576).optional(),
  temperature: z.number().min(0).max(100).optional(),
  top_k: z.number().int().min(0).max(1_000_000).optional(),
  top_p: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
});

export const EMBEDDED_OPTION_KEYS = Object.keys(optionsSchema.shape);

export type ParsedOptions = { readonly ok: true; readonly options: EmbeddedOptions } | { readonly ok: false; readonly message: string };

/** The agent's `options` record as embedded options; unknown keys and bad values are refused. */
export function parseEmbeddedOptions(raw: Readonly<Record<string, unknown>>): ParsedOptions {
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `options.${issue.path.join('.')}` : 'options';
    const what =
      issue?.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (known: ${EMBEDDED_OPTION_KEYS.join(', ')})`
        : (issue?.message ?? 'invalid');
    return { ok: false, message: `${where}: ${what}` };
  }
  const o = parsed.data;
  return {
    ok: true,
    options: {
      threads: o.threads ?? defaultThreads(),
      maxTokens: o.max_tokens ?? DEFAULT_MAX_TOKENS,
      ...(o.context_size !== undefined ? { contextSize: o.context_size } : {}),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
      ...(o.top_k !== undefined ? { topK: o.top_k } : {}),
      ...(o.top_p !== undefined ? { topP: o.top_p } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    },
  };
}

/**
 * The model file's absolute path: `~/` is the home directory; a relative path resolves from the
 * current working directory of the orchestrator process (not from the config file's folder).
 */
export function resolveModelPath(model: string, cwd: string = process.cwd()): string {
  if (model === '~' || model.startsWith('~/')) return path.join(os.homedir(), model.slice(1));
  return path.resolve(cwd, model);
}
