/**
 * One way to declare a route: its zod schemas validate the request and, collected in the
 * registry, describe the API in /api/openapi.json — so the description cannot drift from what
 * the server accepts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from './http-errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec<Q extends z.ZodType, B extends z.ZodType, P extends z.ZodType> {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly query?: Q;
  readonly body?: B;
  readonly params?: P;
  readonly handler: (
    input: { query: z.infer<Q>; body: z.infer<B>; params: z.infer<P> },
    request: FastifyRequest,
    reply: FastifyReply,
  ) => unknown;
}

interface Described {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly params?: z.ZodType;
}

export class ApiRegistry {
  private readonly routes: Described[] = [];

  constructor(private readonly app: FastifyInstance) {}

  route<Q extends z.ZodType = z.ZodUnknown, B extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown>(spec: RouteSpec<Q, B, P>): void {
    this.routes.push(spec);
    this.app.route({
      method: spec.method,
      url: spec.url,
      handler: async (request, reply) => {
        const input = {
          query: (spec.query ? parseInput(spec.query, request.query, 'query') : request.query) as z.infer<Q>,
          body: (spec.body ? parseInput(spec.body, request.body, 'body') : request.body) as z.infer<B>,
          params: (spec.params ? parseInput(spec.params, request.params, 'params') : request.params) as z.infer<P>,
        };
        return spec.handler(input, request, reply);
      },
    });
  }

  /** OpenAPI 3.1 from the registered routes' schemas. */
  openapi(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const url = route.url.replace(/:(\w+)/g, '{$1}');
      const parameters = [
        ...objectFields(route.params).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
        ...objectFields(route.query).map(([name, schema, required]) => ({ name, in: 'query', required, schema })),
      ];
      (paths[url] ??= {})[route.method.toLowerCase()] = {
        summary: route.summary,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } } : {}),
        responses: { default: { description: 'JSON; errors are {error: {code, message}}' } },
        security: route.url === '/health' ? [] : [{ bearer: [] }],
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'ai-orchestrator', version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      paths,
    };
  }
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

function objectFields(schema: z.ZodType | undefined): [string, Record<string, unknown>, boolean][] {
  if (!schema) return [];
  const json = jsonSchema(schema);
  const properties = (json['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, field]) => [name, field, required.has(name)]);
}
