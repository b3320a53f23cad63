/**
 * Copilot CLI's `--output-format json` lines (JSONL session events), validated with zod and
 * mapped into AgentEvents: `assistant.message_delta` / `assistant.message` (text),
 * `tool.execution_start` / `tool.execution_complete` (tools, `fileEdits`), `session.error`
 * (the failure, with `statusCode` and `errorType`) and the final `result` (`exitCode`).
 *
 * Copilot prints no token counts in this stream; they come from the JSON file it writes with
 * `--usage-output-file` (`modelMetrics.<model>.usage.inputTokens/outputTokens`), read at the end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ProcessResult } from '../../process/spawn-process.js';
import type { CliOutputParser } from '../cli-runner.js';
import { errorFromExit, kindFromHttpStatus, kindFromMessage } from '../failure.js';
import { createBadLineCounter, parseJsonLine } from '../json-line.js';
import { isCopilotRefusal, refusalTarget } from '../refusals.js';
import type { AgentError, AgentEvent, FailureKind, FileChangeKind, Usage } from '../spec.js';

const event = <T extends string, D extends z.ZodType>(type: T, data: D) => z.looseObject({ type: z.literal(type), data });

export const copilotLineSchema = z.discriminatedUnion('type', [
  event('assistant.message_delta', z.looseObject({ deltaContent: z.string() })),
  event('assistant.message', z.looseObject({ content: z.string().default('') })),
  event(
    'tool.execution_start',
    z.looseObject({ toolCallId: z.string().optional(), toolName: z.string(), arguments: z.unknown().optional() }),
  ),
  event(
    'tool.execution_complete',
    z.looseObject({
      toolCallId: z.string().optional(),
      success: z.boolean(),
      fileEdits: z.array(z.looseObject({ path: z.string(), kind: z.string() })).optional(),
      result: z.looseObject({ content: z.string().optional() }).optional(),
      error: z.looseObject({ message: z.string().optional(), code: z.string().optional() }).optional(),
    }),
  ),
  event('session.error', z.looseObject({ errorType: z.string().optional(), message: z.string(), statusCode: z.number().optional() })),
  z.looseObject({ type: z.literal('result'), sessionId: z.string().optional(), exitCode: z.number() }),
]);
export type CopilotLine = z.infer<typeof copilotLineSchema>;

const EDIT_KINDS: Readonly<Record<string, FileChangeKind>> = { create: 'add', edit: 'update', delete: 'delete' };
const ERROR_TYPES: Readonly<Record<string, FailureKind>> = {
  authentication: 'auth',
  rate_limit: 'rate_limit',
  quota: 'quota',
};

/** The failure a Copilot `session.error` stands for. */
export function copilotError(data: { errorType?: string; message: string; statusCode?: number }): AgentError {
  if (data.statusCode !== undefined) return { kind: kindFromHttpStatus(data.statusCode), message: data.message };
  const byType = data.errorType ? ERROR_TYPES[data.errorType] : undefined;
  return { kind: byType ?? kindFromMessage(data.message) ?? 'task_failed', message: data.message };
}

const usageFileSchema = z.looseObject({
  modelMetrics: z.record(
    z.string(),
    z.looseObject({ usage: z.looseObject({ inputTokens: z.number().default(0), outputTokens: z.number().default(0) }).optional() }),
  ),
});

/** Token usage from a `--usage-output-file` file; undefined when it is missing or unreadable. */
export function readCopilotUsage(file: string): Usage | undefined {
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = usageFileSchema.safeParse(value);
  if (!parsed.success) return undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const metrics of Object.values(parsed.data.modelMetrics)) {
    inputTokens += metrics.usage?.inputTokens ?? 0;
    outputTokens += metrics.usage?.outputTokens ?? 0;
  }
  return { inputTokens, outputTokens };
}

export function createCopilotParser(command: string, usageFile?: string): CliOutputParser {
  const bad = createBadLineCounter();
  let answer: string | undefined;
  let sessionError: AgentError | undefined;
  let exitCode: number | undefined;
  const calls = new Map<string, { name: string; target?: string }>();

  function fromLine(line: CopilotLine): AgentEvent[] {
    switch (line.type) {
      case 'assistant.message_delta':
        return [{ type: 'text-delta', text: line.data.deltaContent }];
      case 'assistant.message':
        if (line.data.content === '') return [];
        answer = line.data.content;
        return [{ type: 'text', text: line.data.content }];
      case 'tool.execution_start': {
        const id = line.data.toolCallId;
        const target = refusalTarget(line.data.arguments);
        if (id) calls.set(id, { name: line.data.toolName, ...(target !== undefined ? { target } : {}) });
        return [{ type: 'tool-call', name: line.data.toolName, ...(id ? { id } : {}), input: line.data.arguments }];
      }
      case 'tool.execution_complete': {
        const id = line.data.toolCallId;
        const output = line.data.result?.content ?? line.data.error?.message;
        const events: AgentEvent[] = [
          { type: 'tool-result', ...(id ? { id } : {}), ok: line.data.success, ...(output !== undefined ? { output } : {}) },
        ];
        if (line.data.success) {
          for (const edit of line.data.fileEdits ?? []) {
            events.push({ type: 'file-change', path: edit.path, kind: EDIT_KINDS[edit.kind] ?? 'update' });
          }
        } else if (isCopilotRefusal(line.data.error)) {
          const call = id ? calls.get(id) : undefined;
          events.push({
            type: 'refusal',
            tool: call?.name ?? 'tool',
            ...(id ? { id } : {}),
            ...(call?.target !== undefined ? { target: call.target } : {}),
            reason: line.data.error?.message ?? 'permission denied',
          });
        }
        return events;
      }
      case 'session.error':
        sessionError = copilotError(line.data);
        return [{ type: 'error', error: sessionError }];
      case 'result':
        exitCode = line.exitCode;
        return line.sessionId ? [{ type: 'session', sessionId: line.sessionId }] : [];
    }
  }

  return {
    line(text) {
      const parsed = parseJsonLine(text, copilotLineSchema);
      if (parsed.status === 'invalid') bad.add(text);
      return parsed.status === 'ok' ? fromLine(parsed.value) : [];
    },
    end(result: ProcessResult) {
      const usage = usageFile ? readCopilotUsage(usageFile) : undefined;
      const closing: AgentEvent[] = usage ? [{ type: 'usage', usage }] : [];
      if (exitCode === 0 && result.exitCode === 0 && !sessionError) {
        return [...closing, { type: 'finish', success: true, output: answer ?? '' }];
      }
      let error: AgentError;
      if (sessionError) error = sessionError;
      else if (exitCode === undefined && bad.count > 0) error = { kind: 'bad_output', message: bad.describe(command) };
      else if (result.exitCode !== 0 || exitCode !== undefined) error = errorFromExit(result, command);
      else error = { kind: 'bad_output', message: bad.describe(command) };
      return [...closing, ...(sessionError ? [] : [{ type: 'error' as const, error }]), { type: 'finish', success: false, error }];
    },
  };
}
