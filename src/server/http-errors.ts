/**
 * Errors on the wire: every 4xx/5xx answer is `{error: {code, message}}`. Local errors
 * (OrchestratorError, zod issues, fastify's own) are translated here, once.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { OrchestratorError, type ErrorCode } from '../shared/errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** More fields of the error object (a config error's issues with line and column). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  CONFIG_INVALID: 400,
  TASK_NOT_FOUND: 404,
  WORKFLOW_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  NO_AVAILABLE_AGENT: 409,
  CAPABILITY_UNSUPPORTED: 400,
  BACKEND_ERROR: 502,
};

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): { error: { code: string; message: string } } {
  return { error: { code, message, ...details } };
}

/** A request's body/query/params through a zod schema: the first issue becomes a 400. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue && issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
  throw new HttpError(400, 'VALIDATION_FAILED', `${at}: ${issue?.message ?? 'invalid'}`);
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HttpError) {
    void reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    return;
  }
  if (OrchestratorError.isInstance(error)) {
    const status = STATUS_OF[error.code] ?? 500;
    if (status >= 500) request.log.error({ code: error.code }, error.message);
    void reply.status(status).send(errorBody(error.code, error.message));
    return;
  }
  const fastifyError = error as FastifyError;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    void reply.status(fastifyError.statusCode).send(errorBody(fastifyError.code || 'BAD_REQUEST', error.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send(errorBody('INTERNAL', 'internal error (see the server log)'));
}
