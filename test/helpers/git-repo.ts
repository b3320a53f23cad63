/**
 * Real git repositories for tests, and a snapshot of everything a user owns in one (HEAD, the
 * branch, the index file byte for byte, the stash, HEAD's reflog, the branches) so a test can
 * assert that an operation left all of it alone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from './cli.js';

const IDENTITY = ['-c', 'user.name=Test User', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false'];

/** Runs git in `cwd` (as a user would, hooks and all) and returns stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: os.tmpdir() },
  });
}

/** Writes files (creating folders) relative to `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

export function read(root: string, file: string): string | undefined {
  const full = path.join(root, file);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

/**
 * A repository with `files` committed on branch main (no commit at all with `commit: false`),
 * and `.gitignore` ignoring `*.log` and `build/`.
 */
export function gitRepo(files: Record<string, string> = { 'a.txt': 'a\n', 'src/b.txt': 'b\n' }, options: { commit?: boolean } = {}): string {
  const dir = tempDir('aio-git-');
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, { '.gitignore': '*.log\nbuild/\n', ...files });
  if (options.commit !== false) {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'initial');
  }
  return dir;
}

export interface UserGitState {
  readonly head: string;
  readonly branch: string;
  readonly index: string;
  readonly stash: string;
  readonly reflog: string;
  readonly branches: string;
}

/** Everything of the user's that our plumbing must never change. */
export function userGitState(dir: string): UserGitState {
  const gitDir = git(dir, 'rev-parse', '--absolute-git-dir').trim();
  const index = path.join(gitDir, 'index');
  const safe = (...args: string[]): string => {
    try {
      return git(dir, ...args);
    } catch {
      return '(none)';
    }
  };
  return {
    head: readFileSync(path.join(gitDir, 'HEAD'), 'utf8'),
    branch: safe('rev-parse', '--verify', '-q', 'HEAD'),
    index: existsSync(index) ? createHash('sha256').update(readFileSync(index)).digest('hex') : '(no index)',
    stash: safe('stash', 'list'),
    reflog: safe('reflog', 'show', 'HEAD'),
    branches: safe('for-each-ref', 'refs/heads', 'refs/stash'),
  };
}
