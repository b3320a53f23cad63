/**
 * Checks for rows and values read back from the database and JSON columns, written by hand
 * rather than with zod because the stores that use them are read at start-up (and before a task's
 * first agent starts), where loading zod costs more than every check made.
 */
import { OrchestratorError } from './errors.js';

export type Check<T> = (value: unknown) => value is T;

export const isNumber: Check<number> = (value): value is number => typeof value === 'number' && Number.isFinite(value);
export const isInt: Check<number> = (value): value is number => Number.isSafeInteger(value);
export const isNull: Check<null> = (value): value is null => value === null;

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (value): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function either<A, B>(a: Check<A>, b: Check<B>): Check<A | B> {
  return (value): value is A | B => a(value) || b(value);
}

/**
 * The columns of one row, each read with its check: the first that does not fit is a
 * DATABASE_ERROR naming the table, the row (its id or task id) and the column.
 */
export function rowColumns(raw: unknown, table: string): <T>(name: string, check: Check<T>, what: string) => T {
  if (!isObject(raw)) throw new OrchestratorError('DATABASE_ERROR', `a row of ${table} could not be read`);
  const where = isString(raw['id']) ? `${table} row ${raw['id']}` : isString(raw['task_id']) ? `${table} row of task ${raw['task_id']}` : table;
  return <T>(name: string, check: Check<T>, what: string): T => {
    const value = raw[name];
    if (!check(value)) throw new OrchestratorError('DATABASE_ERROR', `${where}: column ${name} holds ${JSON.stringify(value) ?? 'nothing'}, not ${what}`);
    return value;
  };
}
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** Each element mapped by `read`; undefined when the value is not an array or an element does not fit. */
export function listOf<T>(value: unknown, read: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: T[] = [];
  for (const item of value) {
    const decoded = read(item);
    if (decoded === undefined) return undefined;
    items.push(decoded);
  }
  return items;
}

/** JSON text as its value; undefined when it does not parse. */
export function parseJsonValue(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON text that holds an object, as that object; undefined for anything else or bad JSON. */
export function parseJsonObject(json: string): Record<string, unknown> | undefined {
  const value = parseJsonValue(json);
  return isObject(value) ? value : undefined;
}
