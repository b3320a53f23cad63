/** In-process GGUF models through node-llama-cpp (loaded lazily, on an embedded agent's first run). */
export { createEmbeddedAdapter } from './embedded-adapter.js';
export { checkEmbeddedAvailability } from './embedded-availability.js';
export { parseEmbeddedOptions, resolveModelPath, defaultThreads, type EmbeddedOptions } from './embedded-settings.js';
