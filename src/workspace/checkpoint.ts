/**
 * A checkpoint is the whole working tree — tracked and untracked files, ignored ones left out —
 * written as a commit object, without touching anything the user owns: the files go into a
 * temporary index (GIT_INDEX_FILE), never the user's; the commit is made with `commit-tree`, so
 * HEAD, the branch, the stash and the reflog stay as they are; no hook runs. It works the same on
 * a repository without any commit and on a detached HEAD, because nothing here reads HEAD.
 *
 * Speed: the temporary index starts as a copy of the user's (with its modification time, which
 * git's racy-file check relies on), so `git add -A` only hashes files whose stat data changed
 * instead of the whole tree; later checkpoints of the same checkpointer reuse its own index.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ORCHESTRATOR_IDENTITY, QUIET_GIT, git, gitBytes, type Repository } from './git.js';

export interface CheckpointRequest {
  /** The private ref that keeps it (refs/ai-orchestrator/…); none = an unreferenced commit. */
  readonly ref?: string;
  readonly message: string;
  /** The previous checkpoint of the same task, so `git log <ref>` reads as the task's history. */
  readonly parent?: string;
}

export interface Checkpointer {
  readonly repository: Repository;
  /** Records the working tree now; returns the commit id. */
  take(request: CheckpointRequest): Promise<string>;
  /** Removes the temporary index. */
  dispose(): void;
}

export function createCheckpointer(repository: Repository): Checkpointer {
  let dir: string | undefined;
  let seeded = false;

  const indexFile = (): string => {
    dir ??= mkdtempSync(path.join(os.tmpdir(), 'aio-checkpoint-'));
    const file = path.join(dir, 'index');
    if (!seeded) {
      seeded = true;
      seedFromUserIndex(repository, file);
    }
    return file;
  };

  async function writeTree(index: string): Promise<string> {
    const env = { GIT_INDEX_FILE: index };
    // --ignore-errors: an unreadable file is left out instead of failing the whole checkpoint
    // (git then exits 1 but still writes the rest into the index).
    await gitBytes(repository.root, [...QUIET_GIT, 'add', '--all', '--ignore-errors', '--', ':/'], { env, okCodes: [1] });
    return git(repository.root, [...QUIET_GIT, 'write-tree'], { env });
  }

  return {
    repository,
    async take(request) {
      const index = indexFile();
      let tree: string;
      try {
        tree = await writeTree(index);
      } catch {
        // The copied index may use a format or extension this git refuses; start empty instead.
        rmSync(index, { force: true });
        tree = await writeTree(index);
      }
      const commit = await git(
        repository.root,
        [...QUIET_GIT, 'commit-tree', tree, ...(request.parent ? ['-p', request.parent] : []), '-F', '-'],
        { env: ORCHESTRATOR_IDENTITY, stdin: request.message },
      );
      if (request.ref) await git(repository.root, [...QUIET_GIT, 'update-ref', request.ref, commit]);
      return commit;
    },
    dispose() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      seeded = false;
    },
  };
}

/** One checkpoint with a throwaway checkpointer (commands outside a task's life). */
export async function takeCheckpoint(repository: Repository, request: CheckpointRequest): Promise<string> {
  const checkpointer = createCheckpointer(repository);
  try {
    return await checkpointer.take(request);
  } finally {
    checkpointer.dispose();
  }
}

function seedFromUserIndex(repository: Repository, target: string): void {
  const source = path.join(repository.gitDir, 'index');
  if (!existsSync(source)) return;
  try {
    copyFileSync(source, target);
    const stat = statSync(source);
    utimesSync(target, stat.atime, stat.mtime);
  } catch {
    rmSync(target, { force: true });
  }
}
