/**
 * Writes some files of a checkpoint back into the working tree — and only those: files present in
 * the checkpoint are checked out from a temporary index (contents, executable bit and symlinks as
 * git stored them), files absent from it are deleted, together with directories that deletion
 * left empty. The user's index, HEAD and every other file stay as they are.
 */
import { mkdtempSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QUIET_GIT, git, nulList } from './git.js';

/** Restores `files` (repository-relative) in `repo`'s work tree to their state in `commit`. */
export async function restoreFiles(repo: string, commit: string, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  const inCommit = new Set(nulList(await git(repo, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit])));
  const present = files.filter((file) => inCommit.has(file));
  const absent = files.filter((file) => !inCommit.has(file));
  for (const file of absent) removeFile(repo, file);
  if (present.length === 0) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-restore-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
    await git(repo, [...QUIET_GIT, 'read-tree', commit], { env });
    await git(repo, [...QUIET_GIT, 'checkout-index', '--force', '-z', '--stdin'], { env, stdin: `${present.join('\0')}\0` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function removeFile(repo: string, file: string): void {
  rmSync(path.join(repo, file), { force: true });
  // Directories the task created for the file go with it; a directory with anything else in it stays.
  let dir = path.dirname(file);
  while (dir !== '.' && dir !== '') {
    const full = path.join(repo, dir);
    try {
      if (readdirSync(full).length > 0) return;
      rmdirSync(full);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}
