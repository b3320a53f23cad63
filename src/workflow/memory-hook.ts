/**
 * The engine's memory hook over the context memory (src/context): before a task, the prompt
 * block of relevant earlier work in its project; after it, the task, its steps and outcome
 * stored so later tasks (and `context search`) find it. Kept to the two calls the engine needs.
 */
import type { MemoryManager } from '../context/memory-manager.js';
import { isAgentMistake } from '../resilience/policy.js';
import type { EngineMemory } from './engine.js';

/** Longest final output kept in memory (the original kept 5,000 characters). */
export const MEMORY_OUTCOME_CHARS = 5_000;

export function createEngineMemory(memory: Pick<MemoryManager, 'getRelevantContext' | 'storeTask'>): EngineMemory {
  return {
    async getRelevantContext(task, options) {
      const context = await memory.getRelevantContext(task, {
        ...(options.projectId ? { projectId: options.projectId } : {}),
        tokenBudget: options.tokenBudget,
      });
      return context.prompt;
    },
    async recordTask(task) {
      await memory.storeTask({
        taskId: task.taskId,
        description: task.task,
        outcome: task.finalOutput.slice(0, MEMORY_OUTCOME_CHARS),
        success: task.success,
        status: task.status,
        workflow: task.workflow,
        agents: task.agents,
        steps: task.steps.map((step) => ({
          agent: step.agent,
          role: step.role,
          success: step.success,
          output: step.output.slice(0, MEMORY_OUTCOME_CHARS),
          ...(step.error ? { error: { kind: step.error.kind, message: step.error.message } } : {}),
          // Only failures the agent caused become mistakes to avoid; a cancel, a 401 or a refused
          // connection would teach the next prompt nothing about the work.
          mistake: !step.success && isAgentMistake(step.error?.kind ?? 'task_failed'),
          filesModified: step.filesModified,
        })),
        ...(task.projectId ? { projectId: task.projectId } : {}),
        tags: ['orchestrator'],
      });
    },
  };
}
