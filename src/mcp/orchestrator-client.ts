/**
 * `OrchestratorMCPClient`: the orchestrator's tools as typed methods, for programs that drive it
 * over MCP — in-process (the SDK's linked in-memory transports to a server over a task service)
 * or remote (a `serve` endpoint's `/mcp`, with its token). Results are the tools' structured
 * content; a tool error is an OrchestratorError with the tool's message.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { OrchestratorError } from '../shared/errors.js';
import type { TaskService } from '../service/task-service.js';
import { createMcpServer, type McpServerOptions } from './server.js';
import type { TaskInput, TaskResultJson, TaskStatusJson } from './task-shapes.js';

export interface ExecuteOptions {
  /** One call per finished step (the server's progress notifications). */
  readonly onProgress?: (progress: Progress) => void;
  /** Aborting cancels the task on the server (its agents are stopped). */
  readonly signal?: AbortSignal;
}

/** Longest a call may go without progress before the client gives up (a step of a long task). */
const CALL_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export class OrchestratorMCPClient {
  readonly #client: Client;

  private constructor(client: Client) {
    this.#client = client;
  }

  /** A client and a server over `service` in this process, linked in memory. */
  static async inProcess(service: TaskService, options: McpServerOptions): Promise<OrchestratorMCPClient> {
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await createMcpServer(service, options).connect(serverTransport);
    return OrchestratorMCPClient.#open(clientTransport);
  }

  /** A client of a remote orchestrator: `url` is its MCP endpoint (`http://127.0.0.1:5001/mcp`). */
  static async connect(url: string, options: { readonly token?: string } = {}): Promise<OrchestratorMCPClient> {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      ...(options.token ? { requestInit: { headers: { Authorization: `Bearer ${options.token}` } } } : {}),
    });
    return OrchestratorMCPClient.#open(transport);
  }

  static async #open(transport: Transport): Promise<OrchestratorMCPClient> {
    const client = new Client({ name: 'ai-orchestrator-client', version: '1' });
    await client.connect(transport);
    return new OrchestratorMCPClient(client);
  }

  /** Runs a task to its end (`orchestrator_execute`). */
  executeTask(input: TaskInput, options: ExecuteOptions = {}): Promise<TaskResultJson> {
    return this.#call<TaskResultJson>('orchestrator_execute', input, {
      ...(options.onProgress ? { onprogress: options.onProgress, resetTimeoutOnProgress: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Starts a task and returns at once (`orchestrator_start`). */
  startTask(input: TaskInput): Promise<{ readonly task_id: string } & Record<string, unknown>> {
    return this.#call('orchestrator_start', input);
  }

  status(taskId: string): Promise<TaskStatusJson> {
    return this.#call('orchestrator_status', { task_id: taskId });
  }

  result(taskId: string): Promise<Record<string, unknown>> {
    return this.#call('orchestrator_result', { task_id: taskId });
  }

  cancel(taskId: string): Promise<{ readonly task_id: string; readonly status: string; readonly cancelled: boolean }> {
    return this.#call('orchestrator_cancel', { task_id: taskId });
  }

  listAgents(): Promise<Record<string, unknown>> {
    return this.#call('orchestrator_list_agents', {});
  }

  listWorkflows(): Promise<Record<string, unknown>> {
    return this.#call('orchestrator_list_workflows', {});
  }

  health(): Promise<Record<string, unknown>> {
    return this.#call('orchestrator_health', {});
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async #call<T>(
    name: string,
    args: Record<string, unknown>,
    options: { onprogress?: (progress: Progress) => void; resetTimeoutOnProgress?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    const result = (await this.#client.callTool({ name, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS, ...options })) as CallToolResult;
    if (result.isError) {
      const text = result.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(' ');
      throw new OrchestratorError('INVALID_INPUT', text || `${name} failed`);
    }
    if (!result.structuredContent) throw new OrchestratorError('INTERNAL', `${name} answered without structured content`);
    return result.structuredContent as T;
  }
}
