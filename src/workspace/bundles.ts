/**
 * Commits carried between machines as git bundles: a task's checkpoint shipped to whoever takes
 * it over, its result kept with the task when it cannot be pushed. A bundle holds what `tip` has
 * beyond `exclude` (the task's base, which the receiver has), under one ref name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QUIET_GIT, git } from './git.js';

/** A bundle of `commit` (and its history beyond `exclude`) under `ref`. */
export async function createBundle(repoDir: string, commit: string, exclude: string, ref: string): Promise<Buffer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-bundle-'));
  try {
    await git(repoDir, [...QUIET_GIT, 'update-ref', ref, commit]);
    const file = path.join(dir, 'out.bundle');
    await git(repoDir, [...QUIET_GIT, 'bundle', 'create', '--quiet', file, ref, `^${exclude}`]);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Brings `ref` of a bundle (bytes or a file) into `repoDir` as `target`; returns the commit. */
export async function fetchBundle(repoDir: string, bundle: Buffer | string, ref: string, target: string): Promise<string> {
  const dir = typeof bundle === 'string' ? undefined : mkdtempSync(path.join(os.tmpdir(), 'aio-bundle-'));
  try {
    const file = dir ? path.join(dir, 'in.bundle') : (bundle as string);
    if (dir) writeFileSync(file, bundle);
    await git(repoDir, [...QUIET_GIT, 'fetch', '--quiet', '--no-tags', file, `+${ref}:${target}`]);
    return await git(repoDir, ['rev-parse', '--verify', `${target}^{commit}`]);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
