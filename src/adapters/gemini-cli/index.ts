export { createGeminiCliAdapter } from './gemini-cli-adapter.js';
export { buildGeminiCliArgs, GEMINI_DEFAULT_ENV, GEMINI_DEFAULT_MODEL } from './gemini-cli-args.js';
export { createGeminiCliParser, geminiError, geminiLineSchema } from './gemini-cli-protocol.js';
export type { GeminiLine } from './gemini-cli-protocol.js';
