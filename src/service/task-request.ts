/**
 * What a surface may ask the task service for, checked once here for every surface (the CLI's
 * flags, the API's body, an MCP tool's input): a bad request is an OrchestratorError with a
 * one-line message before anything is stored or run.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { OrchestratorConfig } from '../config/schema.js';
import { findRepositoryRoot } from '../context/project-root.js';
import { OrchestratorError } from '../shared/errors.js';

/** Longest task text accepted (characters): a request, not a file dump. */
export const MAX_TASK_CHARS = 100_000;
export const MAX_ITERATIONS = 100;
/** A probe's prompt is sent byte for byte and may be a whole file. */
export const MAX_PROBE_PROMPT_CHARS = 10_000_000;

export interface TaskRequest {
  readonly task: string;
  readonly workflow?: string | undefined;
  readonly maxIterations?: number | undefined;
  /** Directory the agents work in (relative to the service's base directory). */
  readonly cwd?: string | undefined;
  /** Project for context memory (default: the git repository of cwd). */
  readonly projectPath?: string | undefined;
  readonly offline?: boolean | undefined;
  readonly budgetUsd?: number | undefined;
  /** Where it comes from: cli, shell, api, mcp, … (shown in history). */
  readonly source?: string | undefined;
  /** A follow-up of this earlier task: its text and result go into the prompt. */
  readonly followUpOf?: string | undefined;
  /** `worktree`: the task runs in a new git worktree on its own branch (default: settings.isolation). */
  readonly isolation?: 'none' | 'worktree' | undefined;
  /** The revision a worktree (or a queued task) starts from (default HEAD). */
  readonly base?: string | undefined;
  /** Queue mode: hand the task to the fleet's workers (default: the service's choice). */
  readonly queue?: boolean | undefined;
  /** A queued task's repository, a URL or path every worker can reach (default: cwd's repository). */
  readonly repo?: string | undefined;
  /**
   * Run this one agent once with `task` as its exact prompt (role raw, no template, no memory):
   * a probe that the agent is installed and answering, still an ordinary, cancellable task.
   */
  readonly agent?: string | undefined;
}

/** What is wrong with a field's value, or undefined when it fits. */
type FieldCheck = (value: unknown) => string | undefined;

const text =
  (max = Number.POSITIVE_INFINITY): FieldCheck =>
  (value) =>
    typeof value !== 'string' ? 'expected a string' : value.length === 0 ? 'must not be empty' : value.length > max ? `at most ${max} characters` : undefined;
const flag: FieldCheck = (value) => (typeof value === 'boolean' ? undefined : 'expected true or false');

// Checked by hand, not with zod: every task passes here before its first agent starts, where
// loading zod costs more than the whole check (surfaces validate their own input with their schemas).
const FIELDS: { readonly [K in keyof TaskRequest]-?: FieldCheck } = {
  task: (value) => (typeof value === 'string' ? undefined : 'expected a string'),
  workflow: text(200),
  maxIterations: (value) =>
    Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ITERATIONS ? undefined : `expected a whole number from 1 to ${MAX_ITERATIONS}`,
  cwd: text(),
  projectPath: text(),
  offline: flag,
  budgetUsd: (value) => (typeof value === 'number' && value > 0 && value <= 1_000_000 ? undefined : 'expected a number above 0, at most 1000000'),
  source: text(40),
  followUpOf: text(),
  isolation: (value) => (value === 'none' || value === 'worktree' ? undefined : 'expected "none" or "worktree"'),
  base: text(400),
  queue: flag,
  repo: text(2_000),
  agent: text(200),
};

/** The first problem of a request, as "field: problem"; undefined when it fits. */
function requestProblem(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return 'request: expected an object';
  const fields = request as Record<string, unknown>;
  for (const [name, check] of Object.entries(FIELDS)) {
    const value = fields[name];
    if (value === undefined) {
      if (name === 'task') return 'task: required';
      continue;
    }
    const problem = check(value);
    if (problem) return `${name}: ${problem}`;
  }
  return undefined;
}

export interface CheckedRequest {
  readonly task: string;
  readonly workflow: string;
  readonly cwd: string;
  readonly maxIterations?: number;
  readonly projectPath?: string;
  readonly offline: boolean;
  readonly budgetUsd?: number;
  readonly source: string;
  readonly followUpOf?: string;
  readonly isolation: 'none' | 'worktree';
  readonly base?: string;
  readonly agent?: string;
  /** Handed to the queue's workers instead of run here. */
  readonly queue: boolean;
  readonly repo?: string;
}

export interface CheckRequestOptions {
  /** Requests that do not say otherwise go to the queue (a coordinator: `serve`, `mcp` with settings.queue). */
  readonly queueByDefault?: boolean;
}

export function checkRequest(request: TaskRequest, config: OrchestratorConfig, baseDir: string, options: CheckRequestOptions = {}): CheckedRequest {
  const problem = requestProblem(request);
  if (problem) throw new OrchestratorError('INVALID_INPUT', `invalid task request: ${problem}`);
  const r = request;
  const probe = r.agent;
  // A probe's prompt is exact; a task's text is what the user meant, without stray whitespace.
  const task = probe ? r.task : r.task.trim();
  if (task.trim() === '') throw new OrchestratorError('INVALID_INPUT', probe ? 'the prompt is empty' : 'Task description is empty');
  const maxChars = probe ? MAX_PROBE_PROMPT_CHARS : MAX_TASK_CHARS;
  if (task.length > maxChars) {
    throw new OrchestratorError('INVALID_INPUT', `Task description is too long (${task.length} characters; at most ${maxChars})`);
  }
  if (probe && !Object.hasOwn(config.agents, probe)) {
    const known = Object.keys(config.agents);
    throw new OrchestratorError('AGENT_NOT_FOUND', `unknown agent "${probe}" (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
  }
  const workflow = probe ? `agent:${probe}` : (r.workflow ?? 'default');
  if (!probe) checkWorkflow(config, workflow);
  const settings = config.settings;
  const cwd = workingDirectory(baseDir, r.cwd ?? settings.workspace_dir);
  const projectPath = r.projectPath ?? (settings.project_path || undefined);
  const budgetUsd = r.budgetUsd ?? settings.budget_usd;
  // A probe tests this machine's agent: it never goes to the queue.
  const queue = !probe && (r.queue ?? Boolean(options.queueByDefault && settings.queue));
  if (queue && !settings.queue) throw new OrchestratorError('INVALID_INPUT', 'queue mode needs a queue: set settings.queue.url (or pass --queue redis://…)');
  if (r.repo !== undefined && !queue) throw new OrchestratorError('INVALID_INPUT', 'repo is for queued tasks (queue mode)');
  const isolation = queue ? 'none' : (r.isolation ?? settings.isolation);
  if (r.base !== undefined && isolation !== 'worktree' && !queue) throw new OrchestratorError('INVALID_INPUT', '--base needs --worktree (a base is where a worktree starts)');
  if (isolation === 'worktree' && !findRepositoryRoot(cwd)) {
    throw new OrchestratorError('INVALID_INPUT', `--worktree needs a git repository, and ${cwd} is not in one`);
  }
  return {
    task,
    workflow,
    cwd,
    ...(r.maxIterations !== undefined ? { maxIterations: r.maxIterations } : {}),
    ...(projectPath ? { projectPath: path.resolve(baseDir, projectPath) } : {}),
    offline: Boolean(r.offline) || settings.offline.enabled,
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    source: r.source ?? 'cli',
    ...(r.followUpOf ? { followUpOf: r.followUpOf } : {}),
    isolation,
    ...(r.base !== undefined ? { base: r.base } : {}),
    ...(probe ? { agent: probe } : {}),
    queue,
    ...(r.repo !== undefined ? { repo: r.repo } : {}),
  };
}

/** Unknown workflow names fail before a task exists; `dynamic` (and a missing `default`) are planned. */
function checkWorkflow(config: OrchestratorConfig, name: string): void {
  if (Object.hasOwn(config.workflows, name) || name === 'dynamic' || name === 'default') return;
  if (name === 'offline-default') return;
  const known = Object.keys(config.workflows);
  throw new OrchestratorError('WORKFLOW_NOT_FOUND', `Workflow '${name}' not found${known.length > 0 ? ` (available: ${known.join(', ')})` : ''}`);
}

function workingDirectory(baseDir: string, dir: string): string {
  const resolved = path.resolve(baseDir, dir);
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) {
    throw new OrchestratorError('INVALID_INPUT', `working directory ${resolved} does not exist or is not a directory`);
  }
  return resolved;
}
