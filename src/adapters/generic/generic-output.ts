/**
 * Reads what a generic CLI agent printed, as configured: plain text, one JSON document, or
 * JSON lines, with `output_field` (a dot path such as `result.text` or `choices.0.text`) naming
 * the answer. Output that does not parse is `bad_output`, never a guess.
 */
import type { ProcessResult } from '../../process/spawn-process.js';
import type { CliOutputParser } from '../cli-runner.js';
import { createBoundedText, DEFAULT_OUTPUT_LIMIT_BYTES } from '../output-limit.js';
import { errorFromExit, kindFromMessage } from '../failure.js';
import type { AgentError, AgentEvent } from '../spec.js';
import { isObject } from '../../shared/value-checks.js';

export type GenericOutputFormat = 'text' | 'json' | 'jsonl';

export interface GenericOutputSettings {
  readonly format: GenericOutputFormat;
  /** Dot path of the answer; without it the whole JSON (or the last JSONL line) is the answer. */
  readonly field?: string;
  /** The command, for error messages. */
  readonly command: string;
  /** The most of stdout kept (head and tail around a cut marker); default 1 MiB. */
  readonly limitBytes?: number;
}

type JsonParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

function parseJson(text: string): JsonParse {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** The value at a dot path (`a.b.0.c`); undefined when any step is missing. */
export function valueAtPath(value: unknown, dotPath: string): unknown {
  let current = value;
  for (const segment of dotPath.split('.').filter((s) => s !== '')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
      continue;
    }
    if (!isObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** A JSON value as answer text: strings as they are, anything else as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

function failed(error: AgentError): AgentEvent[] {
  return [
    { type: 'error', error },
    { type: 'finish', success: false, error },
  ];
}

/** A non-zero exit: classified from stderr, or from stdout when stderr says nothing useful. */
function exitFailure(result: ProcessResult, command: string, stdout: string): AgentError {
  const error = errorFromExit(result, command);
  if (error.kind !== 'task_failed' || result.stderrTail.trim() !== '') return error;
  const tail = stdout.trim().split('\n').slice(-5).join('\n');
  return { kind: kindFromMessage(tail) ?? 'task_failed', message: tail ? `${error.message}: ${preview(tail)}` : error.message };
}

export function createGenericOutputParser(settings: GenericOutputSettings): CliOutputParser {
  const stdout = createBoundedText(settings.limitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES);
  let lineCount = 0;
  let lastAnswer: string | undefined;
  let badLine: { readonly number: number; readonly text: string } | undefined;

  const jsonlLine = (line: string): AgentEvent[] => {
    if (line.trim() === '') return [];
    const parsed = parseJson(line);
    if (!parsed.ok) {
      badLine ??= { number: lineCount, text: line };
      return [];
    }
    if (settings.field === undefined) {
      lastAnswer = line;
      return [];
    }
    const value = valueAtPath(parsed.value, settings.field);
    if (value === undefined) return [];
    lastAnswer = asText(value);
    return [{ type: 'text', text: lastAnswer }];
  };

  const jsonEnd = (stdout: string): AgentEvent[] => {
    const parsed = parseJson(stdout);
    if (!parsed.ok) {
      return failed({ kind: 'bad_output', message: `${settings.command} did not print valid JSON: ${preview(stdout) || '(nothing)'}` });
    }
    if (settings.field === undefined) {
      return [{ type: 'finish', success: true, output: typeof parsed.value === 'string' ? parsed.value : stdout.trim() }];
    }
    const value = valueAtPath(parsed.value, settings.field);
    if (value === undefined) {
      return failed({ kind: 'bad_output', message: `${settings.command} printed JSON without the field "${settings.field}"` });
    }
    return [{ type: 'finish', success: true, output: asText(value) }];
  };

  const jsonlEnd = (): AgentEvent[] => {
    if (badLine) {
      return failed({
        kind: 'bad_output',
        message: `${settings.command} printed a line that is not JSON (line ${badLine.number}): ${preview(badLine.text)}`,
      });
    }
    if (lastAnswer === undefined) {
      const what = settings.field === undefined ? 'no JSON lines' : `no line with the field "${settings.field}"`;
      return failed({ kind: 'bad_output', message: `${settings.command} printed ${what}` });
    }
    return [{ type: 'finish', success: true, output: lastAnswer }];
  };

  return {
    keepBlankLines: settings.format === 'text',
    line(line: string): readonly AgentEvent[] {
      lineCount += 1;
      const piece = lineCount === 1 ? line : `\n${line}`;
      stdout.append(piece);
      switch (settings.format) {
        case 'text':
          return [{ type: 'text-delta', text: piece }];
        case 'json':
          return [];
        case 'jsonl':
          return jsonlLine(line);
      }
    },
    end(result: ProcessResult): readonly AgentEvent[] {
      const text = stdout.text();
      if (result.exitCode !== 0) return failed(exitFailure(result, settings.command, text));
      switch (settings.format) {
        case 'text':
          return [{ type: 'finish', success: true, output: text }];
        case 'json':
          return jsonEnd(text);
        case 'jsonl':
          return jsonlEnd();
      }
    },
  };
}
