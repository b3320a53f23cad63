/**
 * A project's id in memory: the same for every way a path is named. Its own module, so a task
 * that only needs the id does not load the project scanner (its ignore rules and schemas).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** The deterministic project id of a path: sha256(absolute normalised path)[:16]. */
export function projectIdForPath(projectPath: string): string {
  const normalised = path.resolve(projectPath).replace(/[\\/]+$/, '') || path.sep;
  return createHash('sha256').update(normalised).digest('hex').slice(0, 16);
}
