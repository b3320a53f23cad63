/**
 * Turns a workflow name into the steps that will actually run. Unknown workflows fail with one
 * line; `dynamic` (and a missing `default`) go to `planDynamically`, the planner's seam; steps of
 * disabled, unavailable or (offline) cloud agents are skipped with a reason, and a workflow left
 * with nothing to run fails clearly. Fallbacks are resolved here (explicit wins over the map).
 */
import type { AgentConfig, OrchestratorConfig } from '../config/schema.js';
import { findWorkflow, isLocalAgent, type Workflow } from '../config/workflows.js';
import { OrchestratorError, errorMessage } from '../shared/errors.js';
import type { Role } from '../shared/roles.js';
import type { AgentResolver } from './agents.js';
import { fallbackFor } from './fallback.js';
import type { HealthLookup, PlanOrigin } from './planner.js';

export interface PlannedStep {
  readonly agent: string;
  readonly role: Role;
  readonly description: string;
  /** The fallback agent, already checked to be usable. */
  readonly fallback?: string;
  /** Set when the primary agent is not available here: the step goes straight to its fallback. */
  readonly unavailable?: string;
}

export interface SkippedStep {
  readonly agent: string;
  readonly role: Role;
  readonly reason: string;
}

export interface Plan {
  readonly workflow: string;
  readonly steps: readonly PlannedStep[];
  readonly skipped: readonly SkippedStep[];
  /** The workflow's own max_iterations, when it sets one. */
  readonly maxIterations?: number;
  readonly offline: boolean;
  /** Set for a dynamic plan: who planned it (or why the fallback plan is used). */
  readonly origin?: PlanOrigin;
}

export interface ResolvePlanOptions {
  readonly config: OrchestratorConfig;
  readonly workflow: string;
  /** Offline mode: only local agents run, and `default` becomes `offline-default` when defined. */
  readonly offline: boolean;
  readonly resolveAgent: AgentResolver;
  readonly signal?: AbortSignal;
  /** The task text and working directory: the dynamic planner needs them. */
  readonly task?: string;
  readonly cwd?: string;
  /** Recorded agent health (the dynamic planner routes around unhealthy agents). */
  readonly health?: HealthLookup;
  /** The task being planned (the planner's call is recorded under it). */
  readonly taskId?: string;
}

/** The workflow actually used for a requested name (offline mode swaps `default`). */
export function effectiveWorkflowName(config: OrchestratorConfig, requested: string, offline: boolean): string {
  if (offline && requested === 'default' && Object.hasOwn(config.workflows, 'offline-default')) return 'offline-default';
  return requested;
}

export async function resolvePlan(options: ResolvePlanOptions): Promise<Plan> {
  const { config } = options;
  const name = effectiveWorkflowName(config, options.workflow, options.offline);
  const needsPlanner = name === 'dynamic' || (name === 'default' && !Object.hasOwn(config.workflows, 'default'));
  if (needsPlanner && !Object.hasOwn(config.workflows, name)) return planDynamically(options);
  const workflow = findWorkflow(config, name);
  if (!workflow) {
    const known = Object.keys(config.workflows);
    throw new OrchestratorError(
      'WORKFLOW_NOT_FOUND',
      `Workflow '${name}' not found${known.length > 0 ? ` (available: ${known.join(', ')})` : ''}`,
    );
  }
  return planWorkflow(workflow, options);
}

/**
 * `dynamic` (or no `default` workflow): an agent plans the steps (planner.ts), then the plan is
 * checked like a configured workflow. The origin (planner or fallback, and why) travels with it.
 */
export async function planDynamically(options: ResolvePlanOptions): Promise<Plan> {
  if (options.task === undefined) {
    throw new OrchestratorError('INVALID_INPUT', 'the dynamic planner needs the task text');
  }
  // The planner (its prompt, its output schema) loads only for dynamic workflows.
  const { planDynamicWorkflow } = await import('./planner.js');
  const dynamic = await planDynamicWorkflow({
    config: options.config,
    task: options.task,
    cwd: options.cwd ?? process.cwd(),
    offline: options.offline,
    resolveAgent: options.resolveAgent,
    ...(options.health ? { health: options.health } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.taskId ? { taskId: options.taskId } : {}),
  });
  const plan = await planWorkflow(dynamic.workflow, options);
  return { ...plan, origin: dynamic.origin };
}

async function planWorkflow(workflow: Workflow, options: ResolvePlanOptions): Promise<Plan> {
  const { config, offline } = options;
  const agentConfig = (name: string): AgentConfig | undefined =>
    Object.hasOwn(config.agents, name) ? config.agents[name] : undefined;

  const availability = new Map<string, Promise<string | undefined>>();
  /** undefined = available; else why not. */
  const whyNot = (name: string): Promise<string | undefined> => {
    let pending = availability.get(name);
    if (!pending) {
      pending = checkUsable(name, agentConfig(name), offline, options);
      availability.set(name, pending);
    }
    return pending;
  };

  const steps: PlannedStep[] = [];
  const skipped: SkippedStep[] = [];
  for (const step of workflow.steps) {
    const agent = agentConfig(step.agent);
    const staticReason = !agent
      ? 'not defined'
      : !agent.enabled
        ? 'disabled'
        : offline && !isLocalAgent(agent)
          ? 'not a local agent (offline mode)'
          : undefined;
    const fallbackName = fallbackFor(step, config.settings.fallback);
    const [primaryProblem, fallbackProblem] = await Promise.all([
      staticReason ? Promise.resolve(staticReason) : whyNot(step.agent),
      fallbackName ? whyNot(fallbackName) : Promise.resolve('none'),
    ]);
    const fallback = fallbackName && fallbackProblem === undefined ? fallbackName : undefined;
    if (primaryProblem === undefined) {
      steps.push({ agent: step.agent, role: step.role, description: step.description, ...(fallback ? { fallback } : {}) });
    } else if (!staticReason && fallback) {
      // Missing here (not installed, server down): the step goes to its fallback. Disabled or
      // offline-filtered agents are the user's choice and are skipped instead.
      steps.push({ agent: step.agent, role: step.role, description: step.description, fallback, unavailable: primaryProblem });
    } else {
      skipped.push({ agent: step.agent, role: step.role, reason: primaryProblem });
    }
  }
  if (steps.length === 0) {
    const reasons = skipped.map((s) => `${s.agent}: ${s.reason}`).join('; ');
    throw new OrchestratorError(
      'NO_AVAILABLE_AGENT',
      `Workflow '${workflow.name}' has no executable steps (check agent availability/offline mode)${reasons ? ` — ${reasons}` : ''}`,
    );
  }
  return {
    workflow: workflow.name,
    steps,
    skipped,
    ...(workflow.maxIterations ? { maxIterations: workflow.maxIterations } : {}),
    offline,
  };
}

async function checkUsable(
  name: string,
  agent: AgentConfig | undefined,
  offline: boolean,
  options: ResolvePlanOptions,
): Promise<string | undefined> {
  if (!agent) return 'not defined';
  if (!agent.enabled) return 'disabled';
  if (offline && !isLocalAgent(agent)) return 'not a local agent (offline mode)';
  try {
    const availability = await options.resolveAgent(name).checkAvailable(options.signal ? { signal: options.signal } : {});
    return availability.available ? undefined : `not available (${availability.detail})`;
  } catch (error) {
    return `not available (${errorMessage(error)})`;
  }
}
