/** PATH lookup without a shell, for `available` checks and clear `not_installed` errors. */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export function findExecutable(command: string, pathVariable: string | undefined = process.env['PATH']): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? path.resolve(command) : undefined;
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    // Missing is the usual answer along PATH: asked without an exception (each costs a stack trace).
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
