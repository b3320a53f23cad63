/**
 * The composition root above every surface: the CLI's program with the commands the other
 * surfaces register (each loads its heavy parts only when its command runs). `src/bin.ts` loads
 * this module — from the one-file bundle when it is built, otherwise as modules.
 */
import { main } from './cli/main.js';
import { registerMcpCommand } from './mcp/mcp-command.js';
import { serveCommand } from './server/serve-command.js';
import type { HttpEndpoint, HttpEndpointContext } from './service/http-endpoint.js';
import { registerWorkerCommand } from './worker/worker-command.js';

export function runBinary(argv: readonly string[]): Promise<number> {
  // `serve` also speaks MCP at /mcp: the MCP surface's endpoint, loaded only when serve starts.
  const mcpOverHttp = async (context: HttpEndpointContext): Promise<HttpEndpoint> =>
    (await import('./mcp/http-endpoint.js')).createMcpHttpEndpoint(context);
  return main(argv, [registerMcpCommand, serveCommand([mcpOverHttp]), registerWorkerCommand]);
}
