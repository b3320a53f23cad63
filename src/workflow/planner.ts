/**
 * The dynamic planner (`--workflow dynamic`, or no `default` workflow): asks a healthy agent for
 * a JSON plan of steps and turns the answer into an ordinary Workflow, which plan.ts then checks
 * like any configured one. Routing reads the persisted agent health (resilience/agent-health-
 * store.ts): an agent whose success rate is below `settings.planner.min_success_rate` over at
 * least `min_calls` recorded calls, or whose circuit is open, is neither asked nor planned.
 * Whatever goes wrong — no planner agent, the call fails, the answer is not a plan — the
 * fallback plan is implement → review with the healthiest agents, and the reason is kept.
 */
import { z } from 'zod';
import { runAgent } from '../adapters/run-agent.js';
import type { AgentConfig, OrchestratorConfig } from '../config/schema.js';
import { isLocalAgent, type Workflow, type WorkflowStep } from '../config/workflows.js';
import { effectiveState, type CircuitSnapshot } from '../resilience/circuit-breaker.js';
import { resolvePolicy } from '../resilience/policy.js';
import { errorMessage } from '../shared/errors.js';
import { ROLES, normalizeRole, type Role } from '../shared/roles.js';
import type { AgentResolver } from './agents.js';
import { PLANNER_PREFERENCE } from './planner-preference.js';

export { PLANNER_PREFERENCE };

/** Steps a plan may have at most (a runaway answer is cut, not run). */
export const MAX_PLAN_STEPS = 8;

/** What the planner needs to know of an agent's record. */
export interface AgentHealthView {
  readonly calls: number;
  /** Over the recent window; undefined with no calls. */
  readonly successRate?: number;
  readonly windowCalls: number;
  readonly circuit: CircuitSnapshot;
}

export type HealthLookup = (agent: string) => AgentHealthView | undefined;

export interface DynamicPlanOptions {
  readonly config: OrchestratorConfig;
  readonly task: string;
  readonly cwd: string;
  readonly offline: boolean;
  readonly resolveAgent: AgentResolver;
  readonly health?: HealthLookup;
  readonly signal?: AbortSignal;
  /** The task the planning call belongs to (for its call record and process record). */
  readonly taskId?: string;
  readonly now?: () => number;
}

/** Where a dynamic plan came from; shown before the run and stored with the task. */
export interface PlanOrigin {
  readonly source: 'planner' | 'fallback';
  /** The agent that was asked (absent when none could be). */
  readonly planner?: string;
  /** Why the fallback plan is used, or what was repaired/dropped in the planner's answer. */
  readonly notes: readonly string[];
  /** Agents left out of planning, and why. */
  readonly excluded: readonly { readonly agent: string; readonly reason: string }[];
}

export interface DynamicPlan {
  readonly workflow: Workflow;
  readonly origin: PlanOrigin;
}

const planItemSchema = z.object({
  agent: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
  /** The original's field name for the role. */
  task: z.string().min(1).optional(),
  description: z.string().optional(),
});
const planAnswerSchema = z.union([z.array(planItemSchema), z.object({ steps: z.array(planItemSchema) })]);

/** An agent the planner may ask or plan. */
export interface PlanCandidate {
  readonly name: string;
  readonly agent: AgentConfig;
  /** For ranking: recorded success rate, 1 with no record. */
  readonly score: number;
}

export async function planDynamicWorkflow(options: DynamicPlanOptions): Promise<DynamicPlan> {
  const { config } = options;
  const { candidates, excluded } = await findCandidates(options);
  const notes: string[] = [];
  const fallback = (reason: string, planner?: string): DynamicPlan => ({
    workflow: fallbackWorkflow(candidates),
    origin: { source: 'fallback', ...(planner ? { planner } : {}), notes: [...notes, reason], excluded },
  });
  if (candidates.length === 0) {
    // plan.ts reports "no executable steps" with the reasons of the fallback's (unusable) agents.
    return {
      workflow: fallbackWorkflow(Object.entries(config.agents).map(([name, agent]) => ({ name, agent, score: 1 }))),
      origin: { source: 'fallback', notes: ['no agent is available to plan or run the task'], excluded },
    };
  }

  const planner = choosePlanner(config, candidates);
  let answer: string;
  try {
    const timeout = config.agents[planner]?.timeout;
    const result = await runAgent(
      options.resolveAgent(planner),
      { prompt: plannerPrompt(options.task, candidates), role: 'plan', cwd: options.cwd },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.taskId ? { context: { taskId: options.taskId } } : {}),
        ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
        outputLimitBytes: config.settings.output_limit_bytes,
      },
    );
    if (!result.success) return fallback(`the planner ${planner} failed: ${result.error?.message ?? 'no answer'}`, planner);
    answer = result.output;
  } catch (error) {
    return fallback(`the planner ${planner} could not run: ${errorMessage(error)}`, planner);
  }

  const parsed = parsePlanAnswer(answer);
  if (!parsed.ok) return fallback(`the planner's answer is not a plan (${parsed.reason})`, planner);
  const steps: WorkflowStep[] = [];
  const names = new Set(candidates.map((c) => c.name));
  for (const [i, item] of parsed.items.entries()) {
    const role = normalizeRole(item.role ?? item.task ?? '');
    if (!role) {
      notes.push(`step ${i + 1} dropped: unknown role "${item.role ?? item.task ?? ''}"`);
      continue;
    }
    let agent = item.agent;
    if (agent === undefined || !names.has(agent)) {
      const replacement = bestFor(role, candidates);
      notes.push(`step ${i + 1}: ${agent === undefined ? 'no agent' : `agent "${agent}" is not available`}, using ${replacement}`);
      agent = replacement;
    }
    steps.push({ agent, role, description: item.description?.trim() ?? '' });
  }
  if (steps.length > MAX_PLAN_STEPS) {
    notes.push(`plan cut from ${steps.length} to ${MAX_PLAN_STEPS} steps`);
    steps.length = MAX_PLAN_STEPS;
  }
  if (steps.length === 0) return fallback("the planner's plan has no usable step", planner);
  return {
    workflow: { name: 'dynamic', description: `planned by ${planner}`, offline: options.offline, steps },
    origin: { source: 'planner', planner, notes, excluded },
  };
}

async function findCandidates(
  options: DynamicPlanOptions,
): Promise<{ candidates: PlanCandidate[]; excluded: { agent: string; reason: string }[] }> {
  const { config } = options;
  const { min_success_rate: minRate, min_calls: minCalls } = config.settings.planner;
  const now = options.now?.() ?? Date.now();
  const excluded: { agent: string; reason: string }[] = [];
  const checked = await Promise.all(
    Object.entries(config.agents).map(async ([name, agent]) => {
      if (!agent.enabled) return undefined;
      if (options.offline && !isLocalAgent(agent)) return undefined;
      const health = options.health?.(name);
      if (health && health.successRate !== undefined && health.windowCalls >= minCalls && health.successRate < minRate) {
        excluded.push({
          agent: name,
          reason: `success rate ${health.successRate.toFixed(2)} over ${health.windowCalls} calls is below ${minRate}`,
        });
        return undefined;
      }
      const recovery = resolvePolicy(config.settings.resilience, agent).breaker.recoveryTimeoutMs;
      if (health && effectiveState(health.circuit, now, recovery).state === 'open') {
        excluded.push({ agent: name, reason: 'circuit open' });
        return undefined;
      }
      try {
        const availability = await options.resolveAgent(name).checkAvailable(options.signal ? { signal: options.signal } : {});
        if (!availability.available) return undefined;
      } catch {
        return undefined;
      }
      return { name, agent, score: health?.successRate ?? 1 };
    }),
  );
  return { candidates: checked.filter((c): c is PlanCandidate => c !== undefined), excluded };
}

function choosePlanner(config: OrchestratorConfig, candidates: readonly PlanCandidate[]): string {
  const names = candidates.map((c) => c.name);
  const wanted = config.settings.planner.agent;
  if (wanted && names.includes(wanted)) return wanted;
  return PLANNER_PREFERENCE.find((name) => names.includes(name)) ?? names[0] ?? '';
}

/** The healthiest candidate whose configured role matches, else the healthiest. */
function bestFor(role: Role, candidates: readonly PlanCandidate[]): string {
  const ranked = rank(candidates);
  const matching = ranked.find((c) => c.agent.role !== undefined && normalizeRole(c.agent.role) === role);
  return (matching ?? ranked[0])?.name ?? '';
}

function rank(candidates: readonly PlanCandidate[]): PlanCandidate[] {
  // Stable: equal scores keep the configuration's order.
  return [...candidates].sort((a, b) => b.score - a.score);
}

/** implement → review with the healthiest agents (two different ones when there are two). */
export function fallbackWorkflow(candidates: readonly PlanCandidate[]): Workflow {
  const ranked = rank(candidates);
  const implementer = ranked[0]?.name ?? '';
  const reviewer = ranked.find((c) => c.name !== implementer)?.name ?? implementer;
  return {
    name: 'dynamic',
    description: 'fallback plan: implement → review',
    offline: false,
    steps: [
      { agent: implementer, role: 'implement', description: 'Implement the task' },
      { agent: reviewer, role: 'review', description: 'Review the implementation' },
    ],
  };
}

export function plannerPrompt(task: string, candidates: readonly PlanCandidate[]): string {
  const agents = candidates
    .map((c) => {
      const role = c.agent.role ? `, usual role: ${c.agent.role}` : '';
      const caps = c.agent.capabilities.length > 0 ? `, capabilities: ${c.agent.capabilities.join(', ')}` : '';
      return `- ${c.name}${role}${caps}${c.agent.description ? ` — ${c.agent.description}` : ''}`;
    })
    .join('\n');
  return [
    'You are the planner of a team of AI coding agents. Break the task below into a short sequence of steps,',
    'each done by one of the available agents.',
    '',
    `Task: ${task}`,
    '',
    'Available agents:',
    agents,
    '',
    `Roles: ${ROLES.filter((r) => r !== 'raw' && r !== 'plan').join(', ')}.`,
    'Respond ONLY with a raw JSON array (no prose, no code fence). Each item: {"agent": "<name>", "role": "<role>", "description": "<what to do>"}.',
    'Example: [{"agent":"codex","role":"implement","description":"Implement the feature"},{"agent":"gemini","role":"review","description":"Review it"}]',
  ].join('\n');
}

export type ParsedPlan =
  | { readonly ok: true; readonly items: readonly z.infer<typeof planItemSchema>[] }
  | { readonly ok: false; readonly reason: string };

/** The plan in an answer: a JSON array (or {steps: [...]}) — fenced or surrounded by prose is fine. */
export function parsePlanAnswer(answer: string): ParsedPlan {
  const text = answer.replace(/```(?:json)?/gi, '').trim();
  const start = text.search(/[[{]/);
  if (start < 0) return { ok: false, reason: 'no JSON in the answer' };
  const end = Math.max(text.lastIndexOf(']'), text.lastIndexOf('}'));
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  const parsed = planAnswerSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'not a list of steps' };
  const items = Array.isArray(parsed.data) ? parsed.data : parsed.data.steps;
  return items.length > 0 ? { ok: true, items } : { ok: false, reason: 'an empty list' };
}
