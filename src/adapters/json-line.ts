/**
 * One stdout line of a CLI's JSONL stream, validated at the boundary: a line is either a value
 * the schema accepts, JSON the schema does not know (a newer CLI's event type — ignored), or not
 * JSON at all (counted: it becomes `bad_output` only if the run never produces a valid result).
 */
import type { z } from 'zod';

export type JsonLine<T> =
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'unknown'; readonly value: unknown }
  | { readonly status: 'invalid'; readonly line: string };

export function parseJsonLine<T>(line: string, schema: z.ZodType<T>): JsonLine<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { status: 'invalid', line };
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? { status: 'ok', value: parsed.data } : { status: 'unknown', value };
}

/** Counts lines that were not JSON, for the `bad_output` message at the end of a run. */
export function createBadLineCounter() {
  let count = 0;
  let first: string | undefined;
  return {
    add(line: string): void {
      count += 1;
      first ??= line.length > 200 ? `${line.slice(0, 200)}…` : line;
    },
    get count(): number {
      return count;
    },
    /** The error for a run that ended without a result; mentions the bad lines when there were some. */
    describe(command: string): string {
      return count > 0
        ? `${command} printed ${count} line(s) that are not JSON and no result (first: ${first ?? ''})`
        : `${command} ended without a result`;
    },
  };
}
