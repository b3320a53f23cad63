/** Codex (`codex exec --json`), the prompt on stdin (`-`), the sandbox chosen by the role. */
import { createCliAdapter } from '../cli-adapter.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1 } from '../spec.js';
import { buildCodexArgs } from './codex-args.js';
import { createCodexParser } from './codex-protocol.js';

export function createCodexAdapter(settings: AdapterSettings): AgentAdapterV1 {
  return createCliAdapter(settings, {
    kind: 'codex',
    defaultCommand: 'codex',
    prepare(request, agent, command) {
      return {
        args: buildCodexArgs(agent, request.role, request.cwd),
        env: {},
        stdin: request.prompt,
        parser: createCodexParser(command),
      };
    },
  });
}
