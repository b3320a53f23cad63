/**
 * Codex's `exec --json` lines, validated with zod and mapped into AgentEvents:
 * `thread.started` (session), `item.started` / `item.completed` (agent_message, command_execution,
 * file_change, mcp_tool_call, …), `turn.completed` (usage), `turn.failed` and `error`.
 */
import { z } from 'zod';
import type { ProcessResult } from '../../process/spawn-process.js';
import type { CliOutputParser } from '../cli-runner.js';
import { errorFromExit, kindFromHttpStatus, kindFromMessage, failureEvents } from '../failure.js';
import { createBadLineCounter, parseJsonLine } from '../json-line.js';
import { codexRefusals } from '../refusals.js';
import type { AgentError, AgentEvent, FileChangeKind } from '../spec.js';

const itemSchema = z.looseObject({ id: z.string().optional(), type: z.string() });
const agentMessage = z.looseObject({ type: z.literal('agent_message'), text: z.string() });
const commandExecution = z.looseObject({
  type: z.literal('command_execution'),
  id: z.string().optional(),
  command: z.string(),
  aggregated_output: z.string().optional(),
  exit_code: z.number().nullish(),
  status: z.string().optional(),
});
const fileChange = z.looseObject({
  type: z.literal('file_change'),
  changes: z.array(z.looseObject({ path: z.string(), kind: z.string() })),
  status: z.string().optional(),
});
const mcpToolCall = z.looseObject({
  type: z.literal('mcp_tool_call'),
  id: z.string().optional(),
  server: z.string().optional(),
  tool: z.string(),
  arguments: z.unknown().optional(),
  status: z.string().optional(),
});

export const codexLineSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({ type: z.literal('item.started'), item: itemSchema }),
  z.looseObject({ type: z.literal('item.updated'), item: itemSchema }),
  z.looseObject({ type: z.literal('item.completed'), item: itemSchema }),
  z.looseObject({
    type: z.literal('turn.completed'),
    usage: z.looseObject({ input_tokens: z.number().default(0), output_tokens: z.number().default(0) }).optional(),
  }),
  z.looseObject({ type: z.literal('turn.failed'), error: z.looseObject({ message: z.string() }).optional() }),
  z.looseObject({ type: z.literal('error'), message: z.string() }),
]);
export type CodexLine = z.infer<typeof codexLineSchema>;

const CHANGE_KINDS: Readonly<Record<string, FileChangeKind>> = { add: 'add', update: 'update', delete: 'delete' };

/** Codex retries a dead network forever with growing pauses; we stop at the first such notice. */
const WAITING_FOR_NETWORK = /waiting for network/i;

/** The failure a Codex error text stands for ("unexpected status 401 …", "last status: 429 …"). */
export function codexError(message: string): AgentError {
  const status = /\bstatus:? (\d{3})\b/i.exec(message)?.[1];
  if (status) return { kind: kindFromHttpStatus(Number(status)), message };
  if (WAITING_FOR_NETWORK.test(message) || /connection failed|error sending request/i.test(message)) {
    return { kind: 'network', message };
  }
  return { kind: kindFromMessage(message) ?? 'task_failed', message };
}

export function createCodexParser(command: string): CliOutputParser {
  const bad = createBadLineCounter();
  let lastMessage: string | undefined;
  let outcome: 'completed' | 'failed' | undefined;
  let stop: AgentError | undefined;

  function fromItem(phase: 'started' | 'updated' | 'completed', item: unknown): AgentEvent[] {
    const message = agentMessage.safeParse(item);
    if (message.success) {
      if (phase !== 'completed') return [];
      lastMessage = message.data.text;
      return [{ type: 'text', text: message.data.text }];
    }
    const exec = commandExecution.safeParse(item);
    if (exec.success) {
      const id = exec.data.id;
      if (phase === 'started') return [{ type: 'tool-call', name: 'shell', ...(id ? { id } : {}), input: { command: exec.data.command } }];
      if (phase !== 'completed') return [];
      return [
        {
          type: 'tool-result',
          ...(id ? { id } : {}),
          ok: exec.data.exit_code === 0,
          ...(exec.data.aggregated_output !== undefined ? { output: exec.data.aggregated_output } : {}),
        },
      ];
    }
    const change = fileChange.safeParse(item);
    if (change.success) {
      if (phase !== 'completed' || (change.data.status !== undefined && change.data.status !== 'completed')) return [];
      return change.data.changes.map((c) => ({ type: 'file-change', path: c.path, kind: CHANGE_KINDS[c.kind] ?? 'update' }));
    }
    const mcp = mcpToolCall.safeParse(item);
    if (mcp.success && phase === 'started') {
      return [{ type: 'tool-call', name: mcp.data.server ? `${mcp.data.server}.${mcp.data.tool}` : mcp.data.tool, input: mcp.data.arguments }];
    }
    // reasoning, todo_list, web_search and warning-only `error` items carry nothing we fold.
    return [];
  }

  function fromLine(line: CodexLine): AgentEvent[] {
    switch (line.type) {
      case 'thread.started':
        return [{ type: 'session', sessionId: line.thread_id }];
      case 'turn.started':
        return [];
      case 'item.started':
        return fromItem('started', line.item);
      case 'item.updated':
        return fromItem('updated', line.item);
      case 'item.completed':
        return fromItem('completed', line.item);
      case 'turn.completed':
        outcome = 'completed';
        return line.usage
          ? [{ type: 'usage', usage: { inputTokens: line.usage.input_tokens, outputTokens: line.usage.output_tokens } }]
          : [];
      case 'turn.failed': {
        outcome = 'failed';
        const error = codexError(line.error?.message ?? 'codex reported a failed turn');
        return failureEvents(error);
      }
      case 'error':
        // Transient notices ("Reconnecting… 1/5") precede either success or turn.failed; only the
        // endless wait for a dead network is ended here.
        if (WAITING_FOR_NETWORK.test(line.message)) stop = codexError(line.message);
        return [];
    }
  }

  return {
    line(text) {
      const parsed = parseJsonLine(text, codexLineSchema);
      if (parsed.status === 'invalid') bad.add(text);
      return parsed.status === 'ok' ? fromLine(parsed.value) : [];
    },
    stopWith: () => stop,
    end(result: ProcessResult) {
      const refusals = codexRefusals(result.stderrTail);
      if (outcome === 'failed') return refusals;
      if (outcome === 'completed' && result.exitCode === 0) {
        return [...refusals, { type: 'finish', success: true, output: lastMessage ?? '' }];
      }
      const error: AgentError =
        result.exitCode !== 0 && bad.count === 0
          ? errorFromExit(result, command)
          : { kind: 'bad_output', message: bad.describe(command) };
      return [...refusals, ...failureEvents(error)];
    },
  };
}
