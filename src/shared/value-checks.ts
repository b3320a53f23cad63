/**
 * Checks for values read back from JSON columns, written by hand rather than with zod because the
 * stores that use them are read at start-up, where loading zod costs ≈ 40 ms.
 */
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

/** JSON text that holds an object, as that object; undefined for anything else or bad JSON. */
export function parseJsonObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
