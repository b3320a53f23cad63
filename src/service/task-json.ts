/** JSON shapes of a task for every surface: `tasks list/show --json`, the web API (snake_case, like `run --json`). */
import type { StepRecord } from '../events/events.js';
import type { TaskRecord } from '../tasks/task-store.js';
import { iterationJson, stepJson, usageJson } from '../workflow/result-json.js';

export function taskSummaryJson(task: TaskRecord) {
  return {
    task_id: task.id,
    task: task.task,
    status: task.status,
    success: task.success ?? null,
    workflow: task.workflow,
    iterations: task.iterations,
    stop_reason: task.stopReason ?? null,
    reason: task.reason ?? null,
    created_at: task.createdAt,
    finished_at: task.finishedAt ?? null,
    source: task.source,
    follow_up_of: task.followUpOf ?? null,
  };
}

export function taskDetailJson(task: TaskRecord, steps: readonly StepRecord[]) {
  return {
    ...taskSummaryJson(task),
    max_iterations: task.maxIterations,
    cwd: task.cwd,
    project_id: task.projectId ?? null,
    owner_pid: task.ownerPid,
    started_at: task.startedAt ?? null,
    heartbeat_at: task.heartbeatAt ?? null,
    current_step: task.currentStep
      ? { iteration: task.currentStep.iteration, index: task.currentStep.index, agent: task.currentStep.agent, role: task.currentStep.role, started_at: task.currentStep.startedAt }
      : null,
    usage: usageJson(task.usage),
    steps: steps.map(stepJson),
    convergence: task.convergence.map(iterationJson),
    final_output: task.finalOutput ?? null,
  };
}
