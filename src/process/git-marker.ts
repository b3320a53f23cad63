/**
 * Where git would look for a work tree: the nearest directory, from `start` up, holding a `.git`
 * (a directory, or a file in linked worktrees and submodules). Git is always run with an
 * environment of our own (no GIT_DIR or GIT_WORK_TREE of the user's), so without such a marker it
 * finds no work tree either: asking it there spawns a process only to hear "not a git repository".
 */
import { statSync } from 'node:fs';
import path from 'node:path';

export function findGitMarker(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    try {
      // Missing is the usual answer on the way up: asked without an exception (each costs a stack trace).
      if (statSync(path.join(dir, '.git'), { throwIfNoEntry: false })) return dir;
    } catch {
      // unreadable here; look one level up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
