#!/usr/bin/env node
/**
 * The `ai-orchestrator` binary: the composition root above every surface. `--version` is
 * answered before anything else is loaded (it is what scripts and health checks call most);
 * otherwise the CLI's program runs with the commands the other surfaces register (each loads
 * its heavy parts only when its command runs).
 */
import { readFileSync } from 'node:fs';
import type { HttpEndpoint, HttpEndpointContext } from './service/http-endpoint.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  const [{ main }, { registerMcpCommand }, { serveCommand }, { registerWorkerCommand }] = await Promise.all([
    import('./cli/main.js'),
    import('./mcp/mcp-command.js'),
    import('./server/serve-command.js'),
    import('./worker/worker-command.js'),
  ]);
  // `serve` also speaks MCP at /mcp: the MCP surface's endpoint, loaded only when serve starts.
  const mcpOverHttp = async (context: HttpEndpointContext): Promise<HttpEndpoint> =>
    (await import('./mcp/http-endpoint.js')).createMcpHttpEndpoint(context);
  process.exitCode = await main(process.argv, [registerMcpCommand, serveCommand([mcpOverHttp]), registerWorkerCommand]);
}
