/** Tasks by id: list (filters, paging), detail (as `tasks show --json`), cancel, resume. */
import { z } from 'zod';
import { TASK_STATUSES } from '../../events/events.js';
import { taskDetailJson, taskSummaryJson } from '../../service/task-json.js';
import type { ServerContext } from '../server-context.js';

/** How far back a filtered list looks (newest first). */
const LIST_WINDOW = 5_000;

const listQuery = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  workflow: z.string().min(1).max(200).optional(),
  source: z.string().min(1).max(40).optional(),
  /** Words the task text must contain (case-insensitive). */
  q: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).max(LIST_WINDOW).default(0),
});

export const taskParams = z.object({ id: z.string().min(1).max(100) });

export function registerTaskRoutes(context: ServerContext): void {
  const { api, service } = context;

  api.route({
    method: 'GET',
    url: '/api/tasks',
    summary: 'tasks, newest first, with filters and paging',
    query: listQuery,
    handler: ({ query }) => {
      const needle = query.q?.toLowerCase();
      const matching = service
        .list({ ...(query.status ? { status: query.status } : {}), limit: LIST_WINDOW })
        .filter((t) => (query.workflow === undefined || t.workflow === query.workflow) && (query.source === undefined || t.source === query.source))
        .filter((t) => needle === undefined || t.task.toLowerCase().includes(needle));
      return {
        tasks: matching.slice(query.offset, query.offset + query.limit).map(taskSummaryJson),
        total: matching.length,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });

  api.route({
    method: 'GET',
    url: '/api/tasks/:id',
    summary: 'one task with its steps and convergence (as `tasks show --json`)',
    params: taskParams,
    handler: ({ params }) => {
      const task = service.resolve(params.id);
      return taskDetailJson(task, service.steps(task.id));
    },
  });

  api.route({
    method: 'POST',
    url: '/api/tasks/:id/cancel',
    summary: 'cancel a task (here or in another process): its agents are stopped',
    params: taskParams,
    handler: async ({ params }) => {
      const result = await service.cancel(params.id);
      return { task_id: result.taskId, status: result.status, cancelled: result.cancelled };
    },
  });

  api.route({
    method: 'POST',
    url: '/api/tasks/:id/resume',
    summary: 'continue a failed, cancelled or interrupted task after its last completed step',
    params: taskParams,
    handler: (input, _request, reply) => {
      const resumed = service.resume(input.params.id, { source: 'api' });
      void resumed.done.catch((error: unknown) => context.logger.error(`resumed task ${resumed.taskId} failed: ${String(error)}`));
      return reply.status(202).send({ task_id: resumed.taskId, status: service.get(resumed.taskId)?.status ?? 'queued' });
    },
  });
}
