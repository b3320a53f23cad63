/**
 * `ai-orchestrator mcp`: the MCP server on stdin/stdout for a coding assistant that starts it as
 * a child process. Stdout carries protocol messages only — logs go to stderr and agents' output
 * is never echoed (agents run with their own pipes, read by their adapters). When the client
 * closes stdin (or the process is told to stop), the connection closes: requests in flight are
 * aborted, which cancels their tasks, and every task this process still runs is cancelled
 * (each stays resumable) before it returns.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { TaskService } from '../service/task-service.js';
import { createMcpServer, type McpServerOptions } from './server.js';

export async function serveMcpOverStdio(service: TaskService, options: McpServerOptions): Promise<void> {
  const server = createMcpServer(service, options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
  });
  const close = (): void => {
    void server.close();
  };
  process.stdin.once('end', close);
  process.stdin.once('close', close);
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await server.connect(transport);
  options.logger.info(`MCP server ready on stdio (${options.version})`);
  await closed;
  process.off('SIGTERM', close);
  process.off('SIGINT', close);
  await service.close();
}
