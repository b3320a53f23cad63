/**
 * Claude Code's `--output-format stream-json --verbose` lines, validated with zod and mapped into
 * AgentEvents. Wire names (snake_case) stop here. Lines: `system/init` (session), `assistant`
 * (text and tool_use blocks), `user` (tool_result blocks), and one final `result` that carries the
 * answer, `is_error`, `api_error_status`, token usage and `total_cost_usd`.
 */
import { z } from 'zod';
import type { ProcessResult } from '../../process/spawn-process.js';
import type { CliOutputParser } from '../cli-runner.js';
import { errorFromExit, kindFromHttpStatus, kindFromMessage, failureEvents } from '../failure.js';
import { createBadLineCounter, parseJsonLine } from '../json-line.js';
import { refusalTarget } from '../refusals.js';
import type { AgentError, AgentEvent, FileChangeKind } from '../spec.js';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  is_error: z.boolean().optional(),
  content: z.unknown().optional(),
});
const otherBlock = z.looseObject({ type: z.string() });

const usageSchema = z.looseObject({
  input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});

export const claudeLineSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('system'), subtype: z.string().optional(), session_id: z.string().optional() }),
  z.looseObject({
    type: z.literal('assistant'),
    message: z.looseObject({ content: z.array(z.union([textBlock, toolUseBlock, otherBlock])) }),
  }),
  z.looseObject({
    type: z.literal('user'),
    message: z.looseObject({ content: z.union([z.string(), z.array(z.union([toolResultBlock, otherBlock]))]) }),
  }),
  z.looseObject({
    type: z.literal('result'),
    subtype: z.string().optional(),
    is_error: z.boolean(),
    result: z.string().optional(),
    api_error_status: z.number().nullish(),
    session_id: z.string().optional(),
    total_cost_usd: z.number().optional(),
    usage: usageSchema.optional(),
    errors: z.array(z.string()).optional(),
    permission_denials: z
      .array(z.looseObject({ tool_name: z.string(), tool_use_id: z.string().optional(), tool_input: z.unknown().optional() }))
      .optional(),
  }),
]);
export type ClaudeLine = z.infer<typeof claudeLineSchema>;
type ClaudeResult = Extract<ClaudeLine, { type: 'result' }>;

/** Tools whose `file_path` input names a file they write. */
const FILE_TOOLS: Readonly<Record<string, FileChangeKind>> = {
  Write: 'add',
  Edit: 'update',
  MultiEdit: 'update',
  NotebookEdit: 'update',
};

/** Claude's tool result when a tool needed a permission that was not given. */
const PERMISSION_PROMPT = /requested permissions? to .*but you haven't granted it/i;

/** The failure a Claude `result` with `is_error: true` stands for. */
export function claudeResultError(line: ClaudeResult): AgentError {
  const message = line.result ?? line.errors?.join('; ') ?? `claude reported an error (${line.subtype ?? 'unknown'})`;
  if (typeof line.api_error_status === 'number') return { kind: kindFromHttpStatus(line.api_error_status), message };
  if (/Unable to connect to API/i.test(message)) return { kind: 'network', message };
  return { kind: kindFromMessage(message) ?? 'task_failed', message };
}

export function createClaudeCodeParser(command: string): CliOutputParser {
  const bad = createBadLineCounter();
  const pendingWrites = new Map<string, { path: string; kind: FileChangeKind }>();
  const calls = new Map<string, { name: string; input: unknown }>();
  /** Refusals already reported live (from the tool result), by tool_use id. */
  const refused = new Set<string>();
  const errorTexts = new Map<string, string>();
  let finished = false;

  const refusal = (id: string | undefined, tool: string, input: unknown, reason: string): AgentEvent => {
    const target = refusalTarget(input);
    return { type: 'refusal', tool, ...(id ? { id } : {}), ...(target !== undefined ? { target } : {}), reason };
  };

  function fromLine(line: ClaudeLine): AgentEvent[] {
    switch (line.type) {
      case 'system':
        return line.subtype === 'init' && line.session_id ? [{ type: 'session', sessionId: line.session_id }] : [];
      case 'assistant': {
        const events: AgentEvent[] = [];
        for (const block of line.message.content) {
          const text = textBlock.safeParse(block);
          if (text.success) {
            events.push({ type: 'text', text: text.data.text });
            continue;
          }
          const tool = toolUseBlock.safeParse(block);
          if (!tool.success) continue;
          events.push({ type: 'tool-call', name: tool.data.name, id: tool.data.id, input: tool.data.input });
          calls.set(tool.data.id, { name: tool.data.name, input: tool.data.input });
          const kind = FILE_TOOLS[tool.data.name];
          const input = z.looseObject({ file_path: z.string() }).safeParse(tool.data.input);
          if (kind && input.success) pendingWrites.set(tool.data.id, { path: input.data.file_path, kind });
        }
        return events;
      }
      case 'user': {
        if (typeof line.message.content === 'string') return [];
        const events: AgentEvent[] = [];
        for (const block of line.message.content) {
          const result = toolResultBlock.safeParse(block);
          if (!result.success) continue;
          const ok = result.data.is_error !== true;
          const output = typeof result.data.content === 'string' ? result.data.content : undefined;
          events.push({ type: 'tool-result', id: result.data.tool_use_id, ok, ...(output !== undefined ? { output } : {}) });
          const write = pendingWrites.get(result.data.tool_use_id);
          if (write && ok) events.push({ type: 'file-change', path: write.path, kind: write.kind });
          if (!ok && output !== undefined) {
            errorTexts.set(result.data.tool_use_id, output);
            const call = calls.get(result.data.tool_use_id);
            // The permission prompt nobody can answer headless; reported now, confirmed by the result.
            if (call && PERMISSION_PROMPT.test(output)) {
              refused.add(result.data.tool_use_id);
              events.push(refusal(result.data.tool_use_id, call.name, call.input, output));
            }
          }
        }
        return events;
      }
      case 'result': {
        finished = true;
        const events: AgentEvent[] = [];
        for (const denial of line.permission_denials ?? []) {
          if (denial.tool_use_id && refused.has(denial.tool_use_id)) continue;
          const reason = (denial.tool_use_id ? errorTexts.get(denial.tool_use_id) : undefined) ?? 'permission denied';
          events.push(refusal(denial.tool_use_id, denial.tool_name, denial.tool_input, reason));
        }
        if (line.session_id) events.push({ type: 'session', sessionId: line.session_id });
        if (line.usage) {
          const u = line.usage;
          events.push({
            type: 'usage',
            usage: {
              inputTokens: u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
              outputTokens: u.output_tokens,
              ...(line.total_cost_usd !== undefined ? { costUsd: line.total_cost_usd } : {}),
            },
          });
        }
        if (line.is_error) {
          const error = claudeResultError(line);
          events.push(...failureEvents(error));
        } else {
          events.push({ type: 'finish', success: true, output: line.result ?? '' });
        }
        return events;
      }
    }
  }

  return {
    line(text) {
      const parsed = parseJsonLine(text, claudeLineSchema);
      if (parsed.status === 'invalid') bad.add(text);
      return parsed.status === 'ok' ? fromLine(parsed.value) : [];
    },
    end(result: ProcessResult) {
      if (finished) return [];
      // No result line: the CLI died before answering (root + bypass, bad flag) or printed garbage.
      const error: AgentError =
        result.exitCode !== 0 && bad.count === 0
          ? errorFromExit(result, command)
          : { kind: 'bad_output', message: bad.describe(command) };
      return failureEvents(error);
    },
  };
}
