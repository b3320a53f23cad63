/**
 * The project a directory belongs to when none is named: the git work tree that contains it.
 * Memory is then kept per repository by default, instead of one pool shared by every place a
 * task was ever run from. Found by looking for `.git` upwards (a directory, or a file in
 * worktrees and submodules) — no git binary needed, nothing spawned.
 */
import { findGitMarker } from '../process/git-marker.js';

export function findRepositoryRoot(start: string): string | undefined {
  return findGitMarker(start);
}
