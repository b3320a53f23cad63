/**
 * `ai-orchestrator mcp`: serve the orchestrator's tools over MCP on stdin/stdout. The binary
 * (src/bin.ts) adds this command to the CLI's program; the task service, the SDK and the tools
 * load only when it runs.
 */
import type { Command } from 'commander';

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('serve the orchestrator as an MCP server on stdin/stdout (for Claude Code, Codex, Gemini CLI, …)')
    .action(async (_options: unknown, command: Command) => {
      // Imported here: registering the command must not load the config parser for every command.
      const { openCommandContext } = await import('../service/command-context.js');
      const context = await openCommandContext(command);
      const logger = context.logger();
      const [{ createTaskService }, { serveMcpOverStdio }] = await Promise.all([import('../service/task-service.js'), import('./stdio.js')]);
      const config = context.config().config;
      // With settings.queue, tasks asked for over MCP go to the queue's workers like the server's.
      const service = createTaskService({ home: context.home, config, logger, env: context.env, baseDir: context.cwd, queueSubmissions: Boolean(config.settings.queue) });
      for (const id of service.interrupted) logger.warn(`task ${id} was left unfinished by a process that ended; marked interrupted`);
      await serveMcpOverStdio(service, { home: context.home, logger, version: program.version() ?? '0.0.0', baseDir: context.cwd, env: context.env });
    });
}
