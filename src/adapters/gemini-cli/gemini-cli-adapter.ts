/** Gemini CLI (`gemini`), headless: prompt on stdin with `-p ""`, stream-json output, `-m` always. */
import { createCliAdapter } from '../cli-adapter.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1 } from '../spec.js';
import { buildGeminiCliArgs, GEMINI_DEFAULT_ENV } from './gemini-cli-args.js';
import { createGeminiCliParser } from './gemini-cli-protocol.js';

export function createGeminiCliAdapter(settings: AdapterSettings): AgentAdapterV1 {
  return createCliAdapter(settings, {
    kind: 'gemini',
    defaultCommand: 'gemini',
    prepare(request, agent, command) {
      return {
        args: buildGeminiCliArgs(agent, request.role),
        env: { ...GEMINI_DEFAULT_ENV },
        stdin: request.prompt,
        parser: createGeminiCliParser(command, settings.outputLimitBytes),
      };
    },
  });
}
