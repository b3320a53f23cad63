/**
 * Where a queued task's code comes from, decided where it is submitted: the repository a request
 * names (`repo`: a URL or a path), else the git repository of its working directory — its path,
 * or with settings.queue.remote that remote's URL — and the commit it starts from (`base`, else
 * that repository's HEAD, resolved now so a branch moving on does not change the task).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { OrchestratorError } from '../shared/errors.js';
import { findGitMarker } from '../process/git-marker.js';
import { git, gitBytes } from '../workspace/git.js';

export interface QueuedSource {
  readonly repo: string;
  readonly base?: string;
  /** The working directory's place inside the repository ('' = its top). */
  readonly subdir: string;
  /** One line for the user when the repository has changes a worker will not see. */
  readonly notice?: string;
}

export async function resolveQueuedSource(request: {
  readonly repo?: string;
  readonly base?: string;
  readonly cwd: string;
  readonly baseDir: string;
  readonly remote?: string;
}): Promise<QueuedSource> {
  const given = request.repo !== undefined ? localDirectory(request.baseDir, request.repo) : undefined;
  if (request.repo !== undefined && given === undefined) {
    // A URL (or a path only the workers can see): passed on as it is, base as asked.
    return { repo: request.repo, ...(request.base !== undefined ? { base: request.base } : {}), subdir: '' };
  }
  const revision = request.base ?? 'HEAD';
  const found = await repositoryAndCommit(given ?? request.cwd, revision);
  if (!found) {
    throw new OrchestratorError('INVALID_INPUT', `a queued task needs a git repository: ${given ?? request.cwd} is not in one (or name one with repo)`);
  }
  const { root, commit: base } = found;
  const subdir = given === undefined ? path.relative(root, request.cwd) : '';
  if (subdir.startsWith('..')) throw new OrchestratorError('INVALID_INPUT', `${request.cwd} is not inside ${root}`);
  if (!base) {
    throw new OrchestratorError('INVALID_INPUT', request.base === undefined ? `${root} has no commit yet: a worker needs one to start from` : `base ${request.base} is not a commit in ${root}`);
  }
  const repo = request.remote ? await remoteUrl(root, request.remote) : root;
  const status = await git(root, ['status', '--porcelain', '--untracked-files=no']).catch(() => '');
  return {
    repo,
    base,
    subdir,
    ...(status.trim() !== '' ? { notice: `the task starts from ${base.slice(0, 10)}; uncommitted changes in ${root} are not sent to the workers` } : {}),
  };
}

/**
 * The top of the work tree holding `dir` and the commit `revision` names there (undefined when it
 * names none), in one git call; undefined when `dir` is in no work tree.
 */
async function repositoryAndCommit(dir: string, revision: string): Promise<{ root: string; commit?: string } | undefined> {
  if (!findGitMarker(dir)) return undefined;
  // Exit 1: no such commit (the top is printed all the same); 128: not in a work tree.
  const result = await gitBytes(dir, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], {
    okCodes: [1, 128],
  });
  const [root, commit] = result.stdout.toString('utf8').trim().split('\n');
  if (result.exitCode === 128 || !root) return undefined;
  return { root, ...(result.exitCode === 0 && commit ? { commit } : {}) };
}

function localDirectory(baseDir: string, repo: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s]+@[^/\s]+:/.test(repo)) return undefined;
  const resolved = path.resolve(baseDir, repo);
  return existsSync(resolved) && statSync(resolved).isDirectory() ? resolved : undefined;
}

async function remoteUrl(root: string, remote: string): Promise<string> {
  try {
    return await git(root, ['remote', 'get-url', '--', remote]);
  } catch {
    throw new OrchestratorError('INVALID_INPUT', `settings.queue.remote: ${root} has no remote "${remote}"`);
  }
}
