/**
 * `ai-orchestrator serve`: the web server and UI. The command only reads its flags; the server
 * surface (src/server) does the rest, loaded inside the action so other commands never pay for it.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { OrchestratorError } from '../../shared/errors.js';
import { createCliContext } from '../context.js';
import { printLine } from '../output.js';

interface ServeOptions {
  readonly host: string;
  readonly port: string;
  readonly cwd?: string;
  readonly drain?: boolean;
  readonly allowConfigCommands?: boolean;
  readonly allowedHost?: string[];
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('web server and browser UI: start, watch and cancel tasks (token required; loopback by default)')
    .option('--host <host>', 'address to listen on (a non-loopback address needs AI_ORCHESTRATOR_TOKEN)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', '5001')
    .option('--cwd <dir>', 'workspace: where tasks run by default; /api/files stays inside it')
    .option('--drain', 'on SIGINT/SIGTERM wait for running tasks instead of cancelling them')
    .option('--allow-config-commands', "let PUT /api/config change an agent's command, args or env")
    .option('--allowed-host <name...>', 'more Host names to answer to (a reverse proxy\'s public name)')
    .action(async (options: ServeOptions, command: Command) => {
      const context = createCliContext(command);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new OrchestratorError('INVALID_INPUT', `--port must be 0..65535 (got "${options.port}")`);
      // The one place a surface loads another's entry point: the command line starts the server.
      const { startServer } = await import('../../server/start-server.js');
      const configPath = context.globals.config ? path.resolve(context.cwd, context.globals.config) : undefined;
      const server = await startServer({
        host: options.host,
        port,
        home: context.home,
        env: context.env,
        workspace: path.resolve(context.cwd, options.cwd ?? '.'),
        ...(configPath ? { configPath } : {}),
        logger: context.logger(),
        ...(options.drain ? { drain: true } : {}),
        ...(options.allowConfigCommands ? { allowConfigCommands: true } : {}),
        ...(options.allowedHost ? { allowedHosts: options.allowedHost } : {}),
        print: printLine,
      });
      await server.closed;
    });
}
