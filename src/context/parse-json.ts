/** JSON text → unknown, or undefined when it does not parse (callers validate with zod). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
