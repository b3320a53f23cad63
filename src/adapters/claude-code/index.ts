export { createClaudeCodeAdapter } from './claude-code-adapter.js';
export { buildClaudeCodeArgs, CLAUDE_DEFAULT_ENV } from './claude-code-args.js';
export { claudeLineSchema, claudeResultError, createClaudeCodeParser } from './claude-code-protocol.js';
export type { ClaudeLine } from './claude-code-protocol.js';
