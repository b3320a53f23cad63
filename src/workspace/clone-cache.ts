/**
 * A queue worker's copies of the repositories its tasks name: one clone per repository under the
 * worker's home, fetched before each task, with an empty work tree of its own — every task works
 * in a worktree of it (`aio/<task-id>`), and results go back with a push. Git calls for one clone
 * run one at a time in this process (two fetches into one clone would fight over its refs).
 *
 * A task naming its base by full commit id skips the fetch (a git process and the upload-pack it
 * starts) when a fetch of this process has already found that commit in the clone: a commit never
 * changes, and nothing here deletes objects. A commit merely present is not trusted on its own —
 * an interrupted fetch can leave a commit without its trees.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { OrchestratorError } from '../shared/errors.js';
import { QUIET_GIT, git, resolveCommit } from './git.js';

export interface PreparedClone {
  /** The clone's top (its work tree is empty; tasks work in worktrees of it). */
  readonly root: string;
  /** The base revision resolved to a commit. */
  readonly baseCommit: string;
}

export interface CloneCache {
  /** Clones or fetches `repo` and resolves `base` (default: the repository's HEAD) to a commit. */
  prepare(repo: string, base: string | undefined): Promise<PreparedClone>;
  /** Pushes a branch of the clone to `repo` under the same name (replacing it there). */
  push(root: string, repo: string, branch: string): Promise<void>;
  /** Runs `work` while no other git call of this process touches the clone. */
  exclusive<T>(root: string, work: () => Promise<T>): Promise<T>;
}

/** What git needs from our environment to reach a remote (ssh agent, askpass, proxies). */
export function networkEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = ['SSH_AUTH_SOCK', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_ASKPASS', 'SSH_ASKPASS', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
  return Object.fromEntries(names.flatMap((name) => (env[name] !== undefined ? [[name, env[name] ?? '']] : [])));
}

const FULL_COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

export function createCloneCache(dir: string, env: NodeJS.ProcessEnv = process.env): CloneCache {
  const locks = new Map<string, Promise<unknown>>();
  const remoteEnv = networkEnv(env);
  /** Per clone, the base commits found there after a fetch of this process. */
  const fetched = new Map<string, Set<string>>();

  function exclusive<T>(root: string, work: () => Promise<T>): Promise<T> {
    const before = locks.get(root) ?? Promise.resolve();
    const run = before.then(work, work);
    locks.set(root, run.catch(() => undefined));
    return run;
  }

  const cloneRoot = (repo: string): string => path.join(dir, createHash('sha256').update(repo).digest('hex').slice(0, 16));

  async function ensureClone(repo: string): Promise<string> {
    const root = cloneRoot(repo);
    if (!existsSync(path.join(root, '.git'))) {
      mkdirSync(root, { recursive: true });
      await git(root, [...QUIET_GIT, 'init', '--quiet']);
      await git(root, ['remote', 'add', 'origin', repo]);
    }
    return root;
  }

  async function resolveBase(root: string, repo: string, base: string | undefined): Promise<string> {
    if (base === undefined) {
      const head = await resolveCommit(root, 'refs/remotes/origin/HEAD');
      if (!head) throw new OrchestratorError('INVALID_INPUT', `${repo} has no commit to start from`);
      return head;
    }
    const found = (await resolveCommit(root, base)) ?? (await resolveCommit(root, `refs/remotes/origin/${base}`));
    if (found) return found;
    // A commit no branch points at any more (or not yet fetched): ask for it by name.
    await git(root, [...QUIET_GIT, 'fetch', '--quiet', '--no-tags', 'origin', base], { env: remoteEnv }).catch(() => undefined);
    const fetched = await resolveCommit(root, 'FETCH_HEAD');
    if (fetched && (fetched.startsWith(base) || (await resolveCommit(root, base)) === fetched)) return fetched;
    throw new OrchestratorError('INVALID_INPUT', `base ${base} is not in ${repo} (is it pushed there?)`);
  }

  return {
    async prepare(repo, base) {
      mkdirSync(dir, { recursive: true });
      // Made inside the lock: two first tasks of one repository at once would both init it.
      return exclusive(cloneRoot(repo), async () => {
        const known = fetched.get(cloneRoot(repo));
        const commit = base?.toLowerCase();
        if (commit !== undefined && FULL_COMMIT_ID.test(commit) && known?.has(commit) && existsSync(path.join(cloneRoot(repo), '.git'))) {
          return { root: cloneRoot(repo), baseCommit: commit };
        }
        const root = await ensureClone(repo);
        await git(root, [...QUIET_GIT, 'fetch', '--quiet', '--no-tags', '--prune', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+HEAD:refs/remotes/origin/HEAD'], {
          env: remoteEnv,
        });
        const baseCommit = await resolveBase(root, repo, base);
        fetched.set(root, (known ?? new Set<string>()).add(baseCommit));
        return { root, baseCommit };
      });
    },
    push(root, repo, branch) {
      return exclusive(root, async () => {
        await git(root, [...QUIET_GIT, 'push', '--quiet', '--force', repo, `refs/heads/${branch}:refs/heads/${branch}`], { env: remoteEnv });
      });
    },
    exclusive,
  };
}
