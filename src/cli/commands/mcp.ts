/** `ai-orchestrator mcp`: serve the orchestrator's tools over MCP on stdin/stdout. */
import type { Command } from 'commander';
import { createCliContext } from '../context.js';
import { openCliTaskService } from '../task-service.js';

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('serve the orchestrator as an MCP server on stdin/stdout (for Claude Code, Codex, Gemini CLI, …)')
    .action(async (_options: unknown, command: Command) => {
      const context = createCliContext(command);
      const service = openCliTaskService(context);
      const { serveMcpOverStdio } = await import('../../mcp/stdio.js');
      await serveMcpOverStdio(service, {
        home: context.home,
        logger: context.logger(),
        version: program.version() ?? '0.0.0',
        baseDir: context.cwd,
        env: context.env,
      });
    });
}
