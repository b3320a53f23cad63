/**
 * Makes a work tree that is at `from` look like checkpoint `to`: every file the two differ in is
 * written back or deleted, nothing else is touched, the index and HEAD stay at `from`. A task taken
 * over on another machine continues in a fresh worktree exactly as the last one left it before
 * its next step — changes uncommitted, as agents leave them.
 */
import { git, nulList } from './git.js';
import { restoreFiles } from './restore.js';

export async function restoreTree(workTree: string, from: string, to: string): Promise<readonly string[]> {
  const files = nulList(await git(workTree, ['diff', '--name-only', '-z', '--no-renames', from, to]));
  await restoreFiles(workTree, to, files);
  return files;
}
