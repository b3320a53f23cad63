/**
 * Keeps a task's row in step with the engine's events: started → in_progress, every finished
 * step and iteration written as it happens, the end state written last. A plain bus subscriber,
 * so the engine never knows there is a database.
 */
import type { OrchestratorBus } from '../events/events.js';
import type { TaskStore } from './task-store.js';

export function attachTaskRecorder(bus: OrchestratorBus, store: TaskStore, options: { signal?: AbortSignal } = {}): () => void {
  const offs = [
    bus.subscribe('task.started', (event) => store.start(event.taskId), options),
    bus.subscribe(
      'step.output',
      (event) => {
        if (event.event.type === 'start' && event.event.pid !== undefined) store.recordAgentProcess(event.taskId, event.event.pid);
      },
      options,
    ),
    bus.subscribe(
      'step.finished',
      (event) => {
        store.recordStep(event.taskId, event.step);
        store.recordAgentProcess(event.taskId, undefined);
      },
      options,
    ),
    bus.subscribe('iteration.finished', (event) => store.recordIteration(event.taskId, event.iteration), options),
    bus.subscribe(
      'task.finished',
      (event) => {
        if (event.status !== 'completed' && event.status !== 'failed' && event.status !== 'cancelled') return;
        store.finish(event.taskId, {
          status: event.status,
          success: event.success,
          stopReason: event.stopReason,
          reason: event.reason,
          iterations: event.iterations,
          finalOutput: event.finalOutput,
          usage: event.usage,
        });
      },
      options,
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}
