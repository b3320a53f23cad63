/**
 * The seed's session API for a browser tab (`client_id`): /api/execute starts an ordinary task
 * of the task service (visible and cancellable from a terminal too), /api/status, /api/cancel
 * (which really stops the agents), /api/conversation and /api/conversation/clear.
 */
import { z } from 'zod';
import { isFinal } from '../../tasks/task-state.js';
import { HttpError } from '../http-errors.js';
import { clientIdOf, MAX_CLIENT_ID_CHARS } from '../client-sessions.js';
import type { ServerContext } from '../server-context.js';

/** The seed's limits: a task of at most 50 000 characters, 1..10 iterations (clamped). */
export const MAX_EXECUTE_TASK_CHARS = 50_000;

const executeBody = z.object({
  task: z.string({ error: 'task is required' }).trim().min(1, 'task is empty').max(MAX_EXECUTE_TASK_CHARS, `task is too long (at most ${MAX_EXECUTE_TASK_CHARS} characters)`),
  workflow: z.string().min(1).max(200).default('default'),
  max_iterations: z.coerce.number().int().default(3).transform((n) => Math.min(10, Math.max(1, n))),
  is_followup: z.boolean().default(false),
  client_id: z.string().max(1_000).optional(),
  /** Ours: the working directory, relative to the server's workspace. */
  cwd: z.string().min(1).max(4_096).optional(),
  /** Ours, queue mode: the repository workers fetch (URL or path; default: the working directory's). */
  repo: z.string().min(1).max(2_000).optional(),
  /** Ours, queue mode: the commit or branch it starts from (default: the repository's HEAD). */
  base: z.string().min(1).max(400).optional(),
});

const clientQuery = z.object({ client_id: z.string().max(MAX_CLIENT_ID_CHARS * 8).optional() });

export function registerSessionRoutes(context: ServerContext): void {
  const { api, service, sessions } = context;

  const lastTask = (clientId: string): string | undefined => sessions.get(clientId).taskIds.at(-1);
  const running = (clientId: string): string | undefined => {
    const id = lastTask(clientId);
    const task = id ? service.get(id) : undefined;
    return task && !isFinal(task.status) ? task.id : undefined;
  };
  const canFollowUp = (clientId: string): boolean => {
    const id = lastTask(clientId);
    return id !== undefined && service.get(id)?.status === 'completed';
  };

  api.route({
    method: 'POST',
    url: '/api/execute',
    summary: 'start a task (the seed payload); answers at once with its task_id',
    body: executeBody,
    handler: ({ body }, request, reply) => {
      const clientId = clientIdOf(body, request.query, request.headers['x-client-id']);
      const previous = body.is_followup ? lastTask(clientId) : undefined;
      if (body.is_followup && (!previous || !canFollowUp(clientId))) {
        throw new HttpError(409, 'NO_PREVIOUS_TASK', 'nothing to follow up: this client has no completed task');
      }
      const submitted = service.submit({
        task: body.task,
        workflow: body.workflow,
        maxIterations: body.max_iterations,
        source: 'api',
        ...(body.cwd ? { cwd: body.cwd } : {}),
        ...(body.repo ? { repo: body.repo } : {}),
        ...(body.base ? { base: body.base } : {}),
        ...(previous ? { followUpOf: previous } : {}),
      });
      void submitted.done.catch((error: unknown) => context.logger.error(`task ${submitted.taskId} failed: ${String(error)}`));
      const session = sessions.addTask(clientId, submitted.taskId);
      return reply.status(202).send({
        message: 'Task started',
        session_id: session.sessionId,
        is_followup: body.is_followup,
        client_id: clientId,
        task_id: submitted.taskId,
      });
    },
  });

  api.route({
    method: 'GET',
    url: '/api/status',
    summary: "this client's session: the running (or last) task",
    query: clientQuery,
    handler: (_input, request) => {
      const clientId = clientIdOf(undefined, request.query, request.headers['x-client-id']);
      const session = sessions.get(clientId);
      const id = session.taskIds.at(-1);
      const task = id ? service.get(id) : undefined;
      return {
        client_id: clientId,
        session_id: session.sessionId,
        is_running: running(clientId) !== undefined,
        can_followup: canFollowUp(clientId),
        task_id: task?.id ?? null,
        task: task?.task ?? null,
        workflow: task?.workflow ?? null,
        status: task?.status ?? 'idle',
        iterations: task?.iterations ?? 0,
        current_step: task?.currentStep ? { iteration: task.currentStep.iteration, index: task.currentStep.index, agent: task.currentStep.agent, role: task.currentStep.role } : null,
        history_length: session.taskIds.length,
      };
    },
  });

  api.route({
    method: 'POST',
    url: '/api/cancel',
    summary: "cancel this client's running task: its agents are stopped and it ends cancelled",
    handler: async (_input, request) => {
      const clientId = clientIdOf(request.body, request.query, request.headers['x-client-id']);
      const id = running(clientId);
      if (!id) throw new HttpError(409, 'NOT_RUNNING', `client "${clientId}" has no running task`);
      const result = await service.cancel(id);
      return { message: result.cancelled ? 'Task cancelled' : `Task already ${result.status}`, client_id: clientId, task_id: id, status: result.status, cancelled: result.cancelled };
    },
  });

  api.route({
    method: 'GET',
    url: '/api/conversation',
    summary: "this client's tasks, oldest first, with their results",
    query: clientQuery,
    handler: (_input, request) => {
      const clientId = clientIdOf(undefined, request.query, request.headers['x-client-id']);
      const session = sessions.get(clientId);
      const history = session.taskIds.flatMap((id) => {
        const task = service.get(id);
        return task ? [{ task_id: task.id, task: task.task, workflow: task.workflow, status: task.status, success: task.success ?? null, result: task.finalOutput ?? null, created_at: task.createdAt }] : [];
      });
      return { client_id: clientId, session_id: session.sessionId, history, can_followup: canFollowUp(clientId) };
    },
  });

  api.route({
    method: 'POST',
    url: '/api/conversation/clear',
    summary: "forget this client's conversation (the tasks stay in the history)",
    handler: (_input, request) => {
      const clientId = clientIdOf(request.body, request.query, request.headers['x-client-id']);
      sessions.clear(clientId);
      return { message: 'Conversation cleared', client_id: clientId };
    },
  });
}
