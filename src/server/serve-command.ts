/**
 * `ai-orchestrator serve`: the web server's command, registered into the binary's program by
 * src/bin.ts (the composition root), so neither surface imports the other. The module is small;
 * the server loads inside the action.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { resolveHome } from '../config/config-source.js';
import type { HttpEndpointFactory } from '../service/http-endpoint.js';
import { OrchestratorError } from '../shared/errors.js';

interface ServeOptions {
  readonly host: string;
  readonly port: string;
  readonly cwd?: string;
  readonly drain?: boolean;
  readonly allowConfigCommands?: boolean;
  readonly allowedHost?: string[];
  readonly queue?: string;
}

interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

/** `serve` with other surfaces' endpoints (given by the binary, which composes the surfaces). */
export function serveCommand(endpoints: readonly HttpEndpointFactory[] = []): (program: Command) => void {
  return (program) => registerServeCommand(program, endpoints);
}

export function registerServeCommand(program: Command, endpoints: readonly HttpEndpointFactory[] = []): void {
  program
    .command('serve')
    .description('web server and browser UI: start, watch and cancel tasks (token required; loopback by default)')
    .option('--host <host>', 'address to listen on (a non-loopback address needs AI_ORCHESTRATOR_TOKEN)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', '5001')
    .option('--cwd <dir>', 'workspace: where tasks run by default; /api/files stays inside it')
    .option('--drain', 'on SIGINT/SIGTERM wait for running tasks instead of cancelling them')
    .option('--allow-config-commands', "let PUT /api/config change an agent's command, args or env")
    .option('--allowed-host <name...>', "more Host names to answer to (a reverse proxy's public name)")
    .option('--queue <url>', 'queue mode: tasks go to `worker` processes through Redis at this URL (default: settings.queue.url, if set)')
    .action(async (options: ServeOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new OrchestratorError('INVALID_INPUT', `--port must be 0..65535 (got "${options.port}")`);
      const env = process.env;
      const { createLogger } = await import('../observability/logger.js');
      const { startServer } = await import('./start-server.js');
      const level = globals.verbose ? 'debug' : globals.quiet ? 'error' : (env['LOG_LEVEL'] ?? 'info');
      const server = await startServer({
        host: options.host,
        port,
        home: resolveHome(env),
        env,
        workspace: path.resolve(options.cwd ?? '.'),
        ...(globals.config ? { configPath: path.resolve(globals.config) } : {}),
        logger: createLogger({ level }),
        ...(options.drain ? { drain: true } : {}),
        ...(options.allowConfigCommands ? { allowConfigCommands: true } : {}),
        ...(options.allowedHost ? { allowedHosts: options.allowedHost } : {}),
        ...(options.queue ? { queueUrl: options.queue } : {}),
        print: (line) => process.stdout.write(`${line}\n`),
        endpoints,
      });
      await server.closed;
    });
}
