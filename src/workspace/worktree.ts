/**
 * A task in its own git worktree: a new work tree on branch `aio/<task-id>`, started from HEAD (or
 * a given base), under one folder the user can find and clean. The files the configuration names
 * (`.env` and the like, untracked so git would not bring them) are copied in. When the task ends
 * its changes are committed on that branch; `applyWorktree` brings them into another tree as
 * uncommitted changes, refusing when they do not apply.
 */
import { cpSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { runGit } from '../process/run-git.js';
import { OrchestratorError } from '../shared/errors.js';
import { ORCHESTRATOR_IDENTITY, QUIET_GIT, git, gitBytes, resolveCommit, type Repository } from './git.js';
import type { WorktreeRecord, WorkspaceStore } from './workspace-store.js';

export interface CreateWorktreeOptions {
  readonly repository: Repository;
  readonly taskId: string;
  readonly workflow: string;
  /** A revision to start from; default HEAD. */
  readonly base?: string;
  /** `base` is known to be a commit of the repository: it is used as it is. */
  readonly baseIsCommit?: boolean;
  /** Folder that holds the worktrees (absolute). */
  readonly dir: string;
  /** Repository-relative files or folders copied from the main tree into the new one. */
  readonly copy: readonly string[];
  readonly store: WorkspaceStore;
}

export interface CreatedWorktree {
  readonly record: WorktreeRecord;
  /** Copied entries that did not exist in the main tree. */
  readonly missing: readonly string[];
}

/** The branch of a task's worktree. */
export function worktreeBranch(taskId: string): string {
  return `aio/${taskId}`;
}

export async function createWorktree(options: CreateWorktreeOptions): Promise<CreatedWorktree> {
  const { repository, taskId } = options;
  const revision = options.base ?? 'HEAD';
  const baseCommit = options.baseIsCommit && options.base !== undefined ? options.base : await resolveCommit(repository.root, revision);
  if (!baseCommit) {
    throw new OrchestratorError(
      'INVALID_INPUT',
      options.base === undefined
        ? `--worktree needs a commit to start from, and ${repository.root} has none yet`
        : `--base ${options.base} is not a commit in ${repository.root}`,
    );
  }
  const copies = options.copy.map((entry) => checkedCopyPath(repository.root, entry));
  mkdirSync(options.dir, { recursive: true });
  const target = path.join(options.dir, taskId);
  const branch = worktreeBranch(taskId);
  await git(repository.root, ['worktree', 'add', '--quiet', '--no-track', '-b', branch, target, baseCommit]);
  const missing: string[] = [];
  for (const { relative, source } of copies) {
    if (!existsSync(source)) {
      missing.push(relative);
      continue;
    }
    const destination = path.join(target, relative);
    mkdirSync(path.dirname(destination), { recursive: true });
    cpSync(source, destination, { recursive: true, force: true, errorOnExist: false });
  }
  const record = options.store.addWorktree({ taskId, repo: repository.root, path: target, branch, baseCommit, workflow: options.workflow });
  return { record, missing };
}

/**
 * Resolves a `settings.worktree.copy` entry, refusing any that leaves the repository: absolute
 * paths, `..`, and symbolic links that point outside it.
 */
export function checkedCopyPath(root: string, entry: string): { relative: string; source: string } {
  const relative = path.normalize(entry);
  if (path.isAbsolute(entry) || relative === '..' || relative.startsWith(`..${path.sep}`) || relative === '.') {
    throw new OrchestratorError('INVALID_INPUT', `settings.worktree.copy: "${entry}" is not a path inside the repository`);
  }
  const source = path.join(root, relative);
  if (existsSync(source)) {
    const real = realpathSync(source);
    const realRoot = realpathSync(root);
    if (real !== realRoot && !real.startsWith(`${realRoot}${path.sep}`)) {
      throw new OrchestratorError('INVALID_INPUT', `settings.worktree.copy: "${entry}" leads outside the repository (to ${real})`);
    }
  }
  return { relative, source };
}

/**
 * Commits everything in the worktree on its branch — except the copied-in files, which are the
 * user's local settings (secrets, often), not the task's work. Returns the new commit, or
 * undefined when there was nothing to commit.
 */
export async function commitWorktree(worktreePath: string, message: string, exclude: readonly string[] = []): Promise<string | undefined> {
  const excluded = exclude.map((entry) => `:(top,exclude,literal)${path.normalize(entry)}`);
  await git(worktreePath, [...QUIET_GIT, 'add', '--all', '--', ':/', ...excluded]);
  const { exitCode } = await gitBytes(worktreePath, ['diff', '--cached', '--quiet'], { okCodes: [1] });
  if (exitCode === 0) return undefined;
  const identity = await hasIdentity(worktreePath) ? {} : ORCHESTRATOR_IDENTITY;
  await git(worktreePath, [...QUIET_GIT, 'commit', '--quiet', '--no-verify', '-F', '-'], { env: identity, stdin: message });
  return git(worktreePath, ['rev-parse', 'HEAD']);
}

/** Whether git knows who the user is here (else our own identity signs the task's commit). */
async function hasIdentity(cwd: string): Promise<boolean> {
  const result = await runGit(['var', 'GIT_COMMITTER_IDENT'], { cwd });
  return result.exitCode === 0;
}

export interface ApplyResult {
  readonly files: readonly string[];
}

/**
 * Brings a worktree task's changes (base → branch tip) into the work tree at `targetRoot` as
 * uncommitted changes. The index is not touched. Refuses with WORKSPACE_CONFLICT, naming the
 * files, when the changes do not apply cleanly (the file differs, already exists, is gone).
 */
export async function applyWorktree(record: Pick<WorktreeRecord, 'taskId' | 'repo' | 'branch' | 'baseCommit'>, targetRoot: string): Promise<ApplyResult> {
  const tip = await resolveCommit(record.repo, `refs/heads/${record.branch}`);
  if (!tip) throw new OrchestratorError('INVALID_INPUT', `branch ${record.branch} of task ${record.taskId} no longer exists`);
  const range = [record.baseCommit, tip];
  const patch = (await gitBytes(record.repo, ['diff', '--binary', '--full-index', '--no-color', '--no-ext-diff', '--no-renames', ...range])).stdout;
  if (patch.length === 0) throw new OrchestratorError('INVALID_INPUT', `task ${record.taskId} changed nothing on ${record.branch}: nothing to apply`);
  const files = (await git(record.repo, ['diff', '--name-only', '-z', '--no-renames', ...range])).split('\0').filter(Boolean);
  const check = await runGit(['apply', '--check', '--whitespace=nowarn', '-'], { cwd: targetRoot, stdin: patch });
  if (check.exitCode !== 0) {
    const problems = applyProblems(check.stderr);
    throw new OrchestratorError(
      'WORKSPACE_CONFLICT',
      `refusing to apply task ${record.taskId}: ${problems.length > 0 ? problems.join(', ') : 'its changes'} conflict with the current tree (nothing was changed; the branch ${record.branch} keeps them)`,
    );
  }
  await gitBytes(targetRoot, ['apply', '--whitespace=nowarn', '-'], { stdin: patch });
  return { files };
}

/** The files `git apply --check` complains about, from its messages. */
function applyProblems(stderr: string): string[] {
  const files = new Set<string>();
  for (const line of stderr.split('\n')) {
    const match =
      /^error: patch failed: (.+):\d+$/.exec(line) ??
      /^error: (.+): (?:patch does not apply|already exists in working directory|does not exist in working directory|No such file or directory|wrong type)/.exec(line);
    if (match?.[1]) files.add(match[1]);
  }
  return [...files].sort();
}
