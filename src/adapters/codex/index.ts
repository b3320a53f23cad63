export { createCodexAdapter } from './codex-adapter.js';
export { buildCodexArgs } from './codex-args.js';
export { codexError, codexLineSchema, createCodexParser } from './codex-protocol.js';
export type { CodexLine } from './codex-protocol.js';
