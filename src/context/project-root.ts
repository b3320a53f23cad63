/**
 * The project a directory belongs to when none is named: the git work tree that contains it.
 * Memory is then kept per repository by default, instead of one pool shared by every place a
 * task was ever run from. Found by looking for `.git` upwards (a directory, or a file in
 * worktrees and submodules) — no git binary needed, nothing spawned.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

export function findRepositoryRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    try {
      statSync(path.join(dir, '.git'));
      return dir;
    } catch {
      // not here; look one level up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
