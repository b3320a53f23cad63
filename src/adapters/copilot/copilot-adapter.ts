/** Copilot CLI (`copilot`), headless: prompt on stdin, JSONL events, usage from a per-run file. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCliAdapter } from '../cli-adapter.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1 } from '../spec.js';
import { buildCopilotArgs } from './copilot-args.js';
import { createCopilotParser } from './copilot-protocol.js';

export function createCopilotAdapter(settings: AdapterSettings): AgentAdapterV1 {
  return createCliAdapter(settings, {
    kind: 'copilot',
    defaultCommand: 'copilot',
    prepare(request, agent, command) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-copilot-'));
      const usageFile = path.join(dir, 'usage.json');
      return {
        args: buildCopilotArgs(agent, request.role, { usageFile }),
        env: {},
        stdin: request.prompt,
        parser: createCopilotParser(command, usageFile),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  });
}
