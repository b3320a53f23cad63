/**
 * Git as the workspace layer calls it: one function that runs a command and throws a one-line
 * GIT_FAILED error when it fails, the repository a directory belongs to, and the flags that keep
 * our plumbing from disturbing the user (no hooks, no fsmonitor daemon, no split index files, no
 * signing prompt, no automatic gc).
 */
import { findGitMarker } from '../process/git-marker.js';
import { runGit } from '../process/run-git.js';
import { OrchestratorError } from '../shared/errors.js';

/**
 * Prepended to every command that writes objects, indexes or refs on our behalf. Hooks are the
 * user's and belong to their own git commands (`git add` into a temporary index would otherwise
 * run a `post-index-change` hook); `core.splitIndex` would write shared index files into .git.
 */
export const QUIET_GIT: readonly string[] = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.splitIndex=false',
  '-c', 'commit.gpgSign=false',
  '-c', 'gc.auto=0',
  '-c', 'maintenance.auto=false',
];

/** Who wrote a checkpoint: they are ours, not the user's commits. */
export const ORCHESTRATOR_IDENTITY: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: 'ai-orchestrator',
  GIT_AUTHOR_EMAIL: 'ai-orchestrator@localhost',
  GIT_COMMITTER_NAME: 'ai-orchestrator',
  GIT_COMMITTER_EMAIL: 'ai-orchestrator@localhost',
};

export interface GitCall {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string | Buffer;
  /** Exit codes that are answers rather than failures (`diff --quiet` → 1). */
  readonly okCodes?: readonly number[];
  readonly signal?: AbortSignal;
}

/** Runs git in `cwd`; stdout as bytes. Throws GIT_FAILED (one line, with git's reason). */
export async function gitBytes(cwd: string, args: readonly string[], call: GitCall = {}): Promise<{ stdout: Buffer; exitCode: number }> {
  const result = await runGit(args, {
    cwd,
    ...(call.env ? { env: call.env } : {}),
    ...(call.stdin !== undefined ? { stdin: call.stdin } : {}),
    ...(call.signal ? { signal: call.signal } : {}),
  });
  if (result.spawnError) {
    throw new OrchestratorError('GIT_FAILED', `git could not be started (${result.spawnError}); is git installed?`);
  }
  const code = result.exitCode ?? -1;
  if (code !== 0 && !(call.okCodes ?? []).includes(code)) {
    const verb = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c') ?? 'command';
    throw new OrchestratorError('GIT_FAILED', `git ${verb} failed in ${cwd}: ${firstLine(result.stderr) || `exit code ${code}`}`);
  }
  return { stdout: result.stdout, exitCode: code };
}

/** Runs git and returns stdout as text without the final newline. */
export async function git(cwd: string, args: readonly string[], call: GitCall = {}): Promise<string> {
  const { stdout } = await gitBytes(cwd, args, call);
  return stdout.toString('utf8').replace(/\n$/, '');
}

/** Splits NUL-terminated output (`-z`) into its entries. */
export function nulList(text: string): string[] {
  return text.split('\0').filter((entry) => entry !== '');
}

export interface Repository {
  /** The top of the work tree (absolute). */
  readonly root: string;
  /** This work tree's git directory (a linked worktree has its own). */
  readonly gitDir: string;
  /** The repository's shared git directory (objects, refs). */
  readonly commonDir: string;
}

/** The repository whose work tree holds `cwd`, or undefined (not in git, git missing, bare). */
export async function findRepository(cwd: string): Promise<Repository | undefined> {
  if (!findGitMarker(cwd)) return undefined;
  const result = await runGit(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir'], {
    cwd,
    timeoutMs: 15_000,
  });
  if (result.spawnError || result.exitCode !== 0) return undefined;
  const [root, gitDir, commonDir] = result.stdout.toString('utf8').trim().split('\n');
  if (!root || !gitDir || !commonDir) return undefined;
  return { root, gitDir, commonDir };
}

/** The commit a revision names, or undefined (no such revision, or no commit yet). */
export async function resolveCommit(cwd: string, revision: string): Promise<string | undefined> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], { cwd, timeoutMs: 15_000 });
  return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : undefined;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('hint:')) ?? ''
  ).replace(/^(fatal|error): /, '');
}
