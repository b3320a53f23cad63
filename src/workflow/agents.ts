/**
 * How the engine gets an adapter for an agent name. The engine only ever sees an
 * `AgentResolver`; the default one builds adapters from the config through the registry, tests
 * inject fakes, and resilience (retry, circuit breaker, rate limit) wraps a resolver as
 * middleware: `(name) => withResilience(inner(name))`.
 */
import { createAdapter, type AdapterSettings } from '../adapters/registry.js';
import type { AgentAdapterV1, CallContext } from '../adapters/spec.js';
import type { OrchestratorConfig } from '../config/schema.js';
import { OrchestratorError } from '../shared/errors.js';

/** Agent name → adapter. May throw when the agent cannot be built (unknown, unsupported kind). */
export type AgentResolver = (name: string) => AgentAdapterV1;

export interface AgentResolverOptions {
  readonly applyLocalEdits?: boolean;
  readonly onStderr?: AdapterSettings['onStderr'];
}

/** The production resolver: one adapter per agent name, built on first use from the config. */
export function createAgentResolver(config: OrchestratorConfig, options: AgentResolverOptions = {}): AgentResolver {
  const built = new Map<string, AgentAdapterV1>();
  return (name) => {
    const cached = built.get(name);
    if (cached) return cached;
    const agent = Object.hasOwn(config.agents, name) ? config.agents[name] : undefined;
    if (!agent) throw new OrchestratorError('AGENT_NOT_FOUND', `agent "${name}" is not defined in the configuration`);
    const adapter = createAdapter({
      name,
      agent,
      outputLimitBytes: config.settings.output_limit_bytes,
      ...(options.applyLocalEdits !== undefined ? { applyLocalEdits: options.applyLocalEdits } : {}),
      ...(options.onStderr ? { onStderr: options.onStderr } : {}),
    });
    built.set(name, adapter);
    return adapter;
  };
}

/**
 * Reports each agent process as it starts (the `start` event's pid), before any middleware that
 * holds events back (resilience buffers a call's events until it commits to them). The task
 * store uses it to find, after a crash, the agent group a dead orchestrator left behind.
 */
export function tapAgentStarts(
  resolve: AgentResolver,
  onStart: (agent: string, pid: number, context: CallContext | undefined) => void,
): AgentResolver {
  const tapped = new Map<string, AgentAdapterV1>();
  return (name) => {
    const cached = tapped.get(name);
    if (cached) return cached;
    const inner = resolve(name);
    const adapter: AgentAdapterV1 = {
      ...inner,
      async *doRun(request, options) {
        for await (const event of inner.doRun(request, options)) {
          if (event.type === 'start' && event.pid !== undefined) onStart(name, event.pid, options?.context);
          yield event;
        }
      },
      checkAvailable: (options) => inner.checkAvailable(options),
    };
    tapped.set(name, adapter);
    return adapter;
  };
}
