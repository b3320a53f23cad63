/**
 * The generic CLI adapter: any command described in the config (`command`, `args`,
 * `prompt_via`, `output_format`, `output_field`). The prompt goes on stdin by default; with
 * `prompt_via: arg` it is the last element of the argument array — still never a shell, but
 * bounded by the OS argument limit (a too-long prompt fails as a `config` error, E2BIG).
 * `{model}` in an argument is replaced by the agent's `model`, so `args: [--model, '{model}']`
 * lets the config's model reach any CLI.
 */
import { checkAgentAvailability } from '../availability.js';
import { runCliAgent } from '../cli-runner.js';
import type { AdapterSettings } from '../registry.js';
import type { AgentAdapterV1, AgentError, AgentEvent, AgentRequest, AgentRunOptions } from '../spec.js';
import { isLocalAgent } from '../../config/workflows.js';
import { createGenericOutputParser } from './generic-output.js';

/** Builds the adapter for an agent of type `generic` (or a `cli` agent whose command is unknown). */
export function createGenericCliAdapter(settings: AdapterSettings): AgentAdapterV1 {
  const { name, agent } = settings;

  async function* run(request: AgentRequest, options: AgentRunOptions = {}): AsyncGenerator<AgentEvent> {
    const command = agent.command;
    if (!command) {
      const error: AgentError = { kind: 'config', message: `agent "${name}": a generic agent needs a command` };
      yield { type: 'error', error };
      yield { type: 'finish', success: false, error };
      return;
    }
    const args = withModel(agent.args, agent.model);
    if (!args) {
      const error: AgentError = { kind: 'config', message: `agent "${name}": args use {model} but no model is set` };
      yield { type: 'error', error };
      yield { type: 'finish', success: false, error };
      return;
    }
    const viaArg = agent.prompt_via === 'arg';
    yield* runCliAgent(
      {
        command,
        args: viaArg ? [...args, request.prompt] : args,
        cwd: request.cwd,
        kind: 'generic',
        configEnv: agent.env,
        ...(viaArg ? {} : { stdin: request.prompt }),
        parser: createGenericOutputParser({
          format: agent.output_format,
          command,
          ...(agent.output_field !== undefined ? { field: agent.output_field } : {}),
          ...(settings.outputLimitBytes !== undefined ? { limitBytes: settings.outputLimitBytes } : {}),
        }),
        ...(settings.onStderr ? { onStderr: (chunk: string) => settings.onStderr?.(name, chunk) } : {}),
      },
      options,
    );
  }

  return {
    specificationVersion: 'agent-v1',
    name,
    kind: 'generic',
    transport: 'cli',
    local: isLocalAgent(agent),
    doRun: run,
    checkAvailable: (options) => checkAgentAvailability(agent, options ?? {}),
  };
}

/** Substitutes `{model}`; undefined when an argument needs a model that is not configured. */
function withModel(args: readonly string[], model: string | undefined): readonly string[] | undefined {
  if (!args.some((arg) => arg.includes('{model}'))) return args;
  if (model === undefined) return undefined;
  return args.map((arg) => arg.replaceAll('{model}', model));
}
