/**
 * Gemini CLI's `-o stream-json` lines, validated with zod and mapped into AgentEvents:
 * `init` (session), `message` (assistant deltas), `tool_use` / `tool_result`, and a final
 * `result` with `status`, `error` and token `stats`. On API failures the error text is also on
 * stderr and the exit code carries the HTTP status modulo 256 (401 → 145, 429 → 173, 500 → 244).
 */
import { z } from 'zod';
import type { ProcessResult } from '../../process/spawn-process.js';
import type { CliOutputParser } from '../cli-runner.js';
import { errorFromExit, kindFromHttpStatus, kindFromMessage, failureEvents } from '../failure.js';
import { createBadLineCounter, parseJsonLine } from '../json-line.js';
import { createBoundedText, DEFAULT_OUTPUT_LIMIT_BYTES } from '../output-limit.js';
import { isGeminiRefusal, refusalTarget } from '../refusals.js';
import type { AgentError, AgentEvent, FailureKind, FileChangeKind } from '../spec.js';

export const geminiLineSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('init'), session_id: z.string().optional(), model: z.string().optional() }),
  z.looseObject({ type: z.literal('message'), role: z.string(), content: z.string(), delta: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool_use'), tool_name: z.string(), tool_id: z.string(), parameters: z.unknown().optional() }),
  z.looseObject({
    type: z.literal('tool_result'),
    tool_id: z.string(),
    status: z.string(),
    output: z.string().optional(),
    error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).optional(),
  }),
  z.looseObject({ type: z.literal('error'), message: z.string().optional(), severity: z.string().optional() }),
  z.looseObject({
    type: z.literal('result'),
    status: z.string(),
    error: z.looseObject({ type: z.string().optional(), message: z.string() }).optional(),
    stats: z.looseObject({ input_tokens: z.number().optional(), output_tokens: z.number().optional() }).optional(),
  }),
]);
export type GeminiLine = z.infer<typeof geminiLineSchema>;

/** Tools whose `file_path` parameter names a file they write. */
const FILE_TOOLS: Readonly<Record<string, FileChangeKind>> = {
  write_file: 'add',
  replace: 'update',
  edit: 'update',
};

/** Gemini CLI's own exit codes (packages/cli exitCodes). */
const EXIT_KINDS: Readonly<Record<number, FailureKind>> = {
  41: 'auth', // FATAL_AUTHENTICATION_ERROR
  42: 'config', // FATAL_INPUT_ERROR
  44: 'config', // FATAL_SANDBOX_ERROR
  52: 'config', // FATAL_CONFIG_ERROR
  53: 'task_failed', // FATAL_TURN_LIMITED_ERROR
  55: 'config', // untrusted folder
  130: 'cancelled',
};

/** An HTTP status hidden in an exit code (the CLI exits with status & 0xFF) or an error text. */
function statusFrom(exitCode: number | null, message: string): number | undefined {
  const inText = /"code"\s*:\s*(\d{3})|\b(?:status|error:?)\s*(\d{3})\b|\[API Error: [^\]]*?\b(\d{3})\b/i.exec(message);
  const fromText = inText ? Number(inText[1] ?? inText[2] ?? inText[3]) : undefined;
  if (fromText && fromText >= 400 && fromText < 600) return fromText;
  if (exitCode === null || exitCode < 144) return undefined;
  for (const status of [exitCode + 256, exitCode + 512]) if (status >= 400 && status < 600) return status;
  return undefined;
}

/** The failure a Gemini run stands for, from its exit code and the error text it gave. */
export function geminiError(exitCode: number | null, message: string): AgentError {
  const known = exitCode !== null ? EXIT_KINDS[exitCode] : undefined;
  if (known) return { kind: known, message };
  const status = statusFrom(exitCode, message);
  if (status) return { kind: kindFromHttpStatus(status), message };
  return { kind: kindFromMessage(message) ?? 'task_failed', message };
}

export function createGeminiCliParser(command: string, outputLimitBytes = DEFAULT_OUTPUT_LIMIT_BYTES): CliOutputParser {
  const bad = createBadLineCounter();
  const pendingWrites = new Map<string, { path: string; kind: FileChangeKind }>();
  const calls = new Map<string, { name: string; target?: string }>();
  const answer = createBoundedText(outputLimitBytes);
  let result: Extract<GeminiLine, { type: 'result' }> | undefined;

  function fromLine(line: GeminiLine): AgentEvent[] {
    switch (line.type) {
      case 'init':
        return line.session_id ? [{ type: 'session', sessionId: line.session_id }] : [];
      case 'message':
        if (line.role !== 'assistant') return [];
        answer.append(line.content);
        return [{ type: 'text-delta', text: line.content }];
      case 'tool_use': {
        const kind = FILE_TOOLS[line.tool_name];
        const input = z.looseObject({ file_path: z.string() }).safeParse(line.parameters);
        if (kind && input.success) pendingWrites.set(line.tool_id, { path: input.data.file_path, kind });
        const target = refusalTarget(line.parameters);
        calls.set(line.tool_id, { name: line.tool_name, ...(target !== undefined ? { target } : {}) });
        return [{ type: 'tool-call', name: line.tool_name, id: line.tool_id, input: line.parameters }];
      }
      case 'tool_result': {
        const ok = line.status === 'success';
        const output = line.output ?? line.error?.message;
        const events: AgentEvent[] = [{ type: 'tool-result', id: line.tool_id, ok, ...(output !== undefined ? { output } : {}) }];
        const write = pendingWrites.get(line.tool_id);
        if (write && ok) events.push({ type: 'file-change', path: write.path, kind: write.kind });
        if (!ok && isGeminiRefusal(line.error)) {
          const call = calls.get(line.tool_id);
          events.push({
            type: 'refusal',
            tool: call?.name ?? 'tool',
            id: line.tool_id,
            ...(call?.target !== undefined ? { target: call.target } : {}),
            reason: line.error?.message ?? output ?? 'refused',
          });
        }
        return events;
      }
      case 'error':
        return [];
      case 'result': {
        result = line;
        const stats = line.stats;
        return stats ? [{ type: 'usage', usage: { inputTokens: stats.input_tokens ?? 0, outputTokens: stats.output_tokens ?? 0 } }] : [];
      }
    }
  }

  return {
    line(text) {
      const parsed = parseJsonLine(text, geminiLineSchema);
      if (parsed.status === 'invalid') bad.add(text);
      return parsed.status === 'ok' ? fromLine(parsed.value) : [];
    },
    end(process: ProcessResult) {
      if (result?.status === 'success' && process.exitCode === 0) return [{ type: 'finish', success: true, output: answer.text() }];
      let error: AgentError;
      if (result && result.status !== 'success') {
        error = geminiError(process.exitCode, result.error?.message ?? `gemini reported ${result.status}`);
      } else if (process.exitCode !== 0 && bad.count === 0) {
        // Errors before the stream starts (auth, trust, config) are only on stderr.
        const fromExit = errorFromExit(process, command);
        error = geminiError(process.exitCode, fromExit.message);
      } else {
        error = { kind: 'bad_output', message: bad.describe(command) };
      }
      return failureEvents(error);
    },
  };
}
