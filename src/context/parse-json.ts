/** JSON text → unknown, or undefined when it does not parse (callers check what they read). */
export { parseJsonValue as parseJson } from '../shared/value-checks.js';

/**
 * Whether a parsed JSON value nests arrays and objects deeper than `limit` levels. Iterative, so
 * a hostile 5,000-level document is measured without the recursion that validating it would
 * overflow the stack with.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(item.value)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
  }
  return false;
}
