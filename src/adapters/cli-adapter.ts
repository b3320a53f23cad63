/**
 * The common shape of the four coding-CLI adapters (Claude Code, Codex, Gemini CLI, Copilot CLI):
 * each one only says how to build one run — argv, its own default environment, the prompt on
 * stdin, a fresh output parser — and this turns that into an `AgentAdapterV1` on top of
 * `runCliAgent`. The agent's config is honoured here once: `command`, `env` and `args` (which
 * each definition appends after its own flags); its `timeout` arrives as the run's AbortSignal.
 */
import type { AgentConfig } from '../config/schema.js';
import { isLocalAgent } from '../config/workflows.js';
import { checkAgentAvailability } from './availability.js';
import { runCliAgent, type CliOutputParser } from './cli-runner.js';
import type { AdapterSettings } from './registry.js';
import type { AgentAdapterV1, AgentEvent, AgentRequest, AgentRunOptions } from './spec.js';

/** What one run needs; built fresh per run so parsers never share state. */
export interface PreparedCliRun {
  readonly args: readonly string[];
  /** Defaults the adapter sets (the agent's `env` still wins over them). */
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: string;
  readonly parser: CliOutputParser;
  /** Releases what `prepare` created (temp files); called once the process is gone. */
  readonly cleanup?: () => void;
}

export interface CliAdapterDefinition {
  readonly kind: 'claude' | 'codex' | 'gemini' | 'copilot';
  readonly defaultCommand: string;
  prepare(request: AgentRequest, agent: AgentConfig, command: string): PreparedCliRun;
}

export function createCliAdapter(settings: AdapterSettings, definition: CliAdapterDefinition): AgentAdapterV1 {
  const { name, agent } = settings;
  const command = agent.command ?? definition.defaultCommand;

  async function* run(request: AgentRequest, options: AgentRunOptions = {}): AsyncGenerator<AgentEvent> {
    const prepared = definition.prepare(request, agent, command);
    try {
      yield* runCliAgent(
        {
          command,
          args: prepared.args,
          cwd: request.cwd,
          kind: definition.kind,
          adapterEnv: prepared.env,
          configEnv: agent.env,
          stdin: prepared.stdin,
          parser: prepared.parser,
          ...(settings.onStderr ? { onStderr: (chunk: string) => settings.onStderr?.(name, chunk) } : {}),
        },
        options,
      );
    } finally {
      prepared.cleanup?.();
    }
  }

  return {
    specificationVersion: 'agent-v1',
    name,
    kind: definition.kind,
    transport: 'cli',
    local: isLocalAgent(agent),
    doRun: run,
    checkAvailable: (options) => checkAgentAvailability(agent, options ?? {}),
  };
}

/** Whether this process runs as root (Claude refuses its bypass mode as root without IS_SANDBOX). */
export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
