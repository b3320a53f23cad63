/**
 * The tiny random-weight GGUF (1.75 MB, gibberish output by design) that embedded-agent tests
 * load for real, through node-llama-cpp. The model lives outside the repository
 * (../shared/models; AIO_TINY_GGUF overrides the location) and node-llama-cpp is an optional add-on
 * (`.ci/install-embedded`). Tests skip, saying why, when either is absent — unless
 * AIO_REQUIRE_EMBEDDED=1 (set by .ci/run), where a missing piece fails the run instead of
 * silently skipping the embedded agent's tests.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { nodeLlamaCppInstalled } from '../../src/adapters/embedded/model-file.js';

export const TINY_GGUF = path.resolve(
  process.env['AIO_TINY_GGUF'] ?? path.join(import.meta.dirname, '../../../shared/models/llama-2-tiny-random.gguf'),
);

const missing = [
  ...(existsSync(TINY_GGUF) ? [] : [`the model ${TINY_GGUF}`]),
  ...(nodeLlamaCppInstalled() ? [] : ['node-llama-cpp (run .ci/install-embedded)']),
];

if (missing.length > 0 && process.env['AIO_REQUIRE_EMBEDDED'] === '1') {
  throw new Error(`AIO_REQUIRE_EMBEDDED=1 but the embedded agent's tests cannot run without ${missing.join(' and ')}`);
}

/** True when the embedded tests must skip; the reason is in EMBEDDED_MISSING. */
export const EMBEDDED_UNAVAILABLE = missing.length > 0;
export const EMBEDDED_MISSING = missing.join(' and ');

/** Settings that keep the tiny model fast on a shared 2-core machine. */
export const TINY_OPTIONS = { threads: 1, context_size: 256 } as const;
