/**
 * The normalised view of workflows and agents that the rest of the code uses: both step forms
 * become one shape, role aliases become roles, and each agent gets its adapter kind.
 */
import path from 'node:path';
import { normalizeRole, type Role } from '../shared/roles.js';
import type { AgentConfig, OrchestratorConfig, WorkflowConfig } from './schema.js';

export interface WorkflowStep {
  readonly agent: string;
  readonly role: Role;
  readonly description: string;
  readonly fallback?: string;
}

export interface Workflow {
  readonly name: string;
  readonly description: string;
  readonly offline: boolean;
  readonly maxIterations?: number;
  readonly steps: readonly WorkflowStep[];
}

type RawStep = { agent: string; description?: string; fallback?: string } & (
  | { task: string }
  | { role: string }
);

function toStep(raw: RawStep): WorkflowStep {
  const roleName = 'role' in raw ? raw.role : raw.task;
  // The schema already refused unknown roles; 'raw' is only reached for impossible input.
  const role = normalizeRole(roleName) ?? 'raw';
  return {
    agent: raw.agent,
    role,
    description: raw.description ?? '',
    ...(raw.fallback ? { fallback: raw.fallback } : {}),
  };
}

export function normalizeWorkflow(name: string, raw: WorkflowConfig): Workflow {
  if (Array.isArray(raw)) {
    const steps = raw.map(toStep);
    return { name, description: describeSteps(steps), offline: false, steps };
  }
  const steps = raw.steps.map(toStep);
  return {
    name,
    description: raw.description || describeSteps(steps),
    offline: raw.offline,
    ...(raw.max_iterations ? { maxIterations: raw.max_iterations } : {}),
    steps,
  };
}

function describeSteps(steps: readonly WorkflowStep[]): string {
  return steps.map((s) => `${s.agent} ${s.role}`).join(' → ');
}

export function listWorkflows(config: OrchestratorConfig): Workflow[] {
  return Object.entries(config.workflows).map(([name, raw]) => normalizeWorkflow(name, raw));
}

export function findWorkflow(config: OrchestratorConfig, name: string): Workflow | undefined {
  const raw = config.workflows[name];
  return raw ? normalizeWorkflow(name, raw) : undefined;
}

/** The adapter that drives an agent. */
export type AdapterKind =
  | 'claude'
  | 'codex'
  | 'gemini'
  | 'copilot'
  | 'generic'
  | 'ollama'
  | 'llamacpp'
  | 'openai-compatible'
  | 'embedded';

const COMMAND_ALIASES: Readonly<Record<string, AdapterKind>> = {
  claude: 'claude',
  'claude-code': 'claude',
  codex: 'codex',
  gemini: 'gemini',
  'gemini-cli': 'gemini',
  copilot: 'copilot',
  'github-copilot-cli': 'copilot',
  'gh-copilot': 'copilot',
};

/**
 * The adapter is chosen by `type`, then by the command's base name — never by the agent's
 * free-form name, so an agent called "reviewer-2" running `claude` still gets the Claude adapter.
 */
export function resolveAdapterKind(agent: AgentConfig): AdapterKind {
  switch (agent.type) {
    case 'claude':
    case 'codex':
    case 'gemini':
    case 'copilot':
    case 'generic':
    case 'ollama':
    case 'llamacpp':
    case 'openai-compatible':
    case 'embedded':
      return agent.type;
    case 'localai':
    case 'text-generation-webui':
      return 'openai-compatible';
    case 'cli': {
      const base = agent.command ? path.basename(agent.command).replace(/\.(exe|cmd|js)$/i, '') : '';
      return COMMAND_ALIASES[base.toLowerCase()] ?? 'generic';
    }
  }
}

const HTTP_KINDS: ReadonlySet<AdapterKind> = new Set(['ollama', 'llamacpp', 'openai-compatible', 'embedded']);

/** HTTP and embedded agents run on this machine or network; CLI agents call a cloud provider. */
export function isLocalAgent(agent: AgentConfig): boolean {
  return agent.offline ?? HTTP_KINDS.has(resolveAdapterKind(agent));
}

export function isHttpAgent(agent: AgentConfig): boolean {
  return HTTP_KINDS.has(resolveAdapterKind(agent)) && resolveAdapterKind(agent) !== 'embedded';
}
