/**
 * How tasks look to MCP clients: the seed's response (`success`, `workflow`, `iterations`,
 * `steps` as "[OK] agent (role)" lines, `final_output`) plus our `task_id`, `status` and
 * `reason`, and a task's status row. Wire names are snake_case, as the seed's clients expect.
 */
import { z } from 'zod';
import type { StepRecord } from '../events/events.js';
import { TASK_STATUSES } from '../tasks/task-state.js';
import type { TaskRecord } from '../tasks/task-store.js';
import type { TaskRequest } from '../service/task-request.js';

export const taskIdInput = z.string().min(1).max(100).describe('the task id (or a unique prefix of it)');

export const taskResultShape = {
  task_id: z.string(),
  success: z.boolean(),
  workflow: z.string(),
  iterations: z.number().int(),
  steps: z.array(z.string()).describe('one line per step run: "[OK] agent (role)" or "[FAILED] agent (role): why"'),
  final_output: z.string(),
  status: z.enum(TASK_STATUSES),
  reason: z.string().describe('why the task ended the way it did'),
};
export type TaskResultJson = z.infer<z.ZodObject<typeof taskResultShape>>;

export interface EndedTask {
  readonly taskId: string;
  readonly workflow: string;
  readonly status: TaskRecord['status'];
  readonly success: boolean;
  readonly iterations: number;
  readonly steps: readonly StepRecord[];
  readonly finalOutput: string;
  readonly reason: string;
}

export function taskResultJson(task: EndedTask): TaskResultJson {
  return {
    task_id: task.taskId,
    success: task.success,
    workflow: task.workflow,
    iterations: task.iterations,
    steps: task.steps.map(stepLine),
    final_output: task.finalOutput,
    status: task.status,
    reason: task.reason,
  };
}

export function stepLine(step: StepRecord): string {
  const who = `${step.agent} (${step.role})${step.fallbackFrom ? ` [fallback for ${step.fallbackFrom}]` : ''}`;
  return step.success ? `[OK] ${who}` : `[FAILED] ${who}${step.error ? `: ${step.error.message}` : ''}`;
}

export const taskStatusShape = {
  task_id: z.string(),
  status: z.enum(TASK_STATUSES),
  task: z.string(),
  workflow: z.string(),
  source: z.string(),
  cwd: z.string(),
  iterations: z.number().int(),
  max_iterations: z.number().int(),
  current_step: z
    .object({ iteration: z.number().int(), index: z.number().int(), agent: z.string(), role: z.string(), started_at: z.string() })
    .nullable()
    .describe('the step running now, while the task runs'),
  success: z.boolean().nullable(),
  reason: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
};
export type TaskStatusJson = z.infer<z.ZodObject<typeof taskStatusShape>>;

export function taskStatusJson(task: TaskRecord): TaskStatusJson {
  const step = task.currentStep;
  return {
    task_id: task.id,
    status: task.status,
    task: task.task,
    workflow: task.workflow,
    source: task.source,
    cwd: task.cwd,
    iterations: task.iterations,
    max_iterations: task.maxIterations,
    current_step: step ? { iteration: step.iteration, index: step.index, agent: step.agent, role: step.role, started_at: step.startedAt } : null,
    success: task.success ?? null,
    reason: task.reason ?? null,
    created_at: task.createdAt,
    started_at: task.startedAt ?? null,
    finished_at: task.finishedAt ?? null,
  };
}

/** The task input tools that start a task accept (checked again, like every surface's, by the service). */
export const taskInputShape = {
  task: z.string().min(1).describe('what to do, in words'),
  workflow: z.string().min(1).max(200).optional().describe('workflow name (orchestrator_list_workflows); default "default"'),
  max_iterations: z.number().int().min(1).max(100).optional().describe('upper bound on implement → review → refine rounds'),
  cwd: z.string().min(1).optional().describe("directory the agents work in (relative to the server's directory)"),
  offline: z.boolean().optional().describe('only local models'),
  repo: z.string().min(1).max(2_000).optional().describe('queue mode: the git repository workers fetch, a URL or path (default: the working directory\'s)'),
  base: z.string().min(1).max(400).optional().describe('queue mode: the commit or branch the task starts from (default: HEAD)'),
};

export type TaskInput = z.infer<z.ZodObject<typeof taskInputShape>>;

/** A tool's task input as the service's request: an ordinary task, marked as coming from MCP. */
export function taskRequest(input: TaskInput): TaskRequest {
  return {
    task: input.task,
    source: 'mcp',
    ...(input.workflow !== undefined ? { workflow: input.workflow } : {}),
    ...(input.max_iterations !== undefined ? { maxIterations: input.max_iterations } : {}),
    ...(input.cwd !== undefined ? { cwd: input.cwd } : {}),
    ...(input.offline !== undefined ? { offline: input.offline } : {}),
    ...(input.repo !== undefined ? { repo: input.repo } : {}),
    ...(input.base !== undefined ? { base: input.base } : {}),
  };
}
