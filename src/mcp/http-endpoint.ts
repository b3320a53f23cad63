/**
 * MCP over streamable HTTP (SDK 1.x), as an endpoint the web server mounts at `/mcp` behind its
 * token, Host and Origin checks. One MCP server and transport per session (created by an
 * `initialize` request, found again by its `mcp-session-id`), all over the server's one task
 * service; closing a session aborts its requests in flight, which cancels the tasks its
 * `orchestrator_execute` calls run.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HttpEndpoint, HttpEndpointContext } from '../service/http-endpoint.js';
import { createMcpServer } from './server.js';

/** Sessions kept at once; beyond it the oldest is closed (a client that never says goodbye). */
const MAX_SESSIONS = 100;

export function createMcpHttpEndpoint(context: HttpEndpointContext): Promise<HttpEndpoint> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const reply = (response: ServerResponse, status: number, message: string): void => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
  };
  return Promise.resolve({
    path: '/mcp',
    async handle(request, response, body) {
      const header = request.headers['mcp-session-id'];
      const sessionId = Array.isArray(header) ? header[0] : header;
      const known = sessionId ? sessions.get(sessionId) : undefined;
      if (known) {
        await known.handleRequest(request, response, body);
        return;
      }
      if (sessionId) return reply(response, 404, `unknown MCP session ${sessionId}: initialize a new one`);
      if (request.method !== 'POST' || !isInitializeRequest(body)) return reply(response, 400, 'no MCP session: send an initialize request first');
      if (sessions.size >= MAX_SESSIONS) await sessions.values().next().value?.close();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => void sessions.set(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await createMcpServer(context.service, {
        home: context.home,
        logger: context.logger,
        version: context.version,
        baseDir: context.baseDir,
        env: context.env,
      }).connect(transport);
      await transport.handleRequest(request, response, body);
    },
    async close() {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      sessions.clear();
    },
  });
}
