/**
 * The tiny random-weight GGUF (1.75 MB, gibberish output by design) that embedded-agent tests
 * load for real. It lives outside the repository (../shared/models); AIO_TINY_GGUF overrides
 * the location. Tests skip, saying why, when it is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const TINY_GGUF = path.resolve(
  process.env['AIO_TINY_GGUF'] ?? path.join(import.meta.dirname, '../../../shared/models/llama-2-tiny-random.gguf'),
);

export const TINY_GGUF_MISSING = !existsSync(TINY_GGUF);

/** Settings that keep the tiny model fast on a shared 2-core machine. */
export const TINY_OPTIONS = { threads: 1, context_size: 256 } as const;
