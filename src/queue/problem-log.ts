/**
 * Connection trouble said once, not once per retry: a Redis restart makes every connection fail
 * a few times a second, and the log should show that it happened, not how often it was retried.
 * The same line is said again after `quietMs` if the trouble goes on (or comes back).
 */
export function createProblemLog(warn: (message: string) => void, quietMs = 60_000): (message: string) => void {
  const said = new Map<string, number>();
  return (message) => {
    const now = Date.now();
    const last = said.get(message);
    if (last !== undefined && now - last < quietMs) return;
    said.set(message, now);
    if (said.size > 100) for (const [key, at] of said) if (now - at >= quietMs) said.delete(key);
    warn(message);
  };
}
