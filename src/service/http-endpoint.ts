/**
 * An HTTP endpoint one surface offers another through the binary's composition root (the MCP
 * server's streamable HTTP transport, mounted by the web server at `/mcp`): plain Node request
 * and response, so neither surface knows the other's framework. The web server's guard (token,
 * Host, Origin) runs before `handle`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { TaskService } from './task-service.js';

export interface HttpEndpoint {
  /** Where it is mounted (every method). */
  readonly path: string;
  /** Answers one request; `body` is the request's parsed JSON body, when it had one. */
  handle(request: IncomingMessage, response: ServerResponse, body: unknown): Promise<void>;
  close(): Promise<void>;
}

/** What an endpoint factory gets from the server that mounts it. */
export interface HttpEndpointContext {
  readonly service: TaskService;
  readonly home: string;
  readonly logger: Logger;
  readonly version: string;
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
}

export type HttpEndpointFactory = (context: HttpEndpointContext) => Promise<HttpEndpoint>;
