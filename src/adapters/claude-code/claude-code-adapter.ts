/** Claude Code (`claude`), driven headless: `-p` with the prompt on stdin, stream-json output. */
import { createCliAdapter, runningAsRoot } from '../cli-adapter.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1 } from '../spec.js';
import { buildClaudeCodeArgs } from './claude-code-args.js';
import { createClaudeCodeParser } from './claude-code-protocol.js';

export function createClaudeCodeAdapter(settings: AdapterSettings): AgentAdapterV1 {
  return createCliAdapter(settings, {
    kind: 'claude',
    defaultCommand: 'claude',
    prepare(request, agent, command) {
      const { args, env } = buildClaudeCodeArgs(agent, request.role, { asRoot: runningAsRoot() });
      return { args, env, stdin: request.prompt, parser: createClaudeCodeParser(command) };
    },
  });
}
