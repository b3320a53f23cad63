import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitRepo, userGitState, writeFiles } from '../../test/helpers/git-repo.js';
import { createCheckpointer, takeCheckpoint } from './checkpoint.js';
import { findRepository } from './git.js';

async function repository(dir: string) {
  const found = await findRepository(dir);
  if (!found) throw new Error(`${dir} is not a repository`);
  return found;
}

/** path → content of every file in a checkpoint commit. */
function filesIn(dir: string, commit: string): Record<string, string> {
  const names = git(dir, 'ls-tree', '-r', '-z', '--name-only', commit).split('\0').filter(Boolean);
  return Object.fromEntries(names.map((name) => [name, git(dir, 'show', `${commit}:${name}`)]));
}

describe('checkpoints', () => {
  it('record a dirty tree with untracked files, leave ignored files out, and change nothing of the user', async () => {
    const dir = gitRepo();
    writeFiles(dir, { 'a.txt': 'a changed\n', 'new/untracked.txt': 'new\n', 'debug.log': 'ignored\n', 'build/out.js': 'ignored\n' });
    git(dir, 'add', 'a.txt'); // a staged change
    writeFiles(dir, { 'src/b.txt': 'b changed, not staged\n' });
    writeFiles(dir, { 'stashed.txt': 'x\n' });
    git(dir, 'stash', 'push', '-q', '--include-untracked', '--', 'stashed.txt');
    const before = userGitState(dir);

    const commit = await takeCheckpoint(await repository(dir), { ref: 'refs/ai-orchestrator/t1/1', message: 'test' });

    expect(filesIn(dir, commit)).toEqual({
      '.gitignore': '*.log\nbuild/\n',
      'a.txt': 'a changed\n',
      'src/b.txt': 'b changed, not staged\n',
      'new/untracked.txt': 'new\n',
    });
    expect(git(dir, 'rev-parse', 'refs/ai-orchestrator/t1/1').trim()).toBe(commit);
    expect(userGitState(dir)).toEqual(before);
    // The staged change is still staged, the unstaged one still unstaged.
    expect(git(dir, 'diff', '--cached', '--name-only').trim()).toBe('a.txt');
    expect(git(dir, 'diff', '--name-only').trim()).toBe('src/b.txt');
  });

  it('work in a repository with no commit yet, without creating an index or a branch', async () => {
    const dir = gitRepo({ 'first.txt': 'hello\n' }, { commit: false });
    const before = userGitState(dir);
    expect(before.index).toBe('(no index)');

    const commit = await takeCheckpoint(await repository(dir), { message: 'test' });

    expect(filesIn(dir, commit)).toEqual({ '.gitignore': '*.log\nbuild/\n', 'first.txt': 'hello\n' });
    expect(userGitState(dir)).toEqual(before);
    expect(() => git(dir, 'rev-parse', '--verify', '-q', 'HEAD')).toThrow();
  });

  it('work on a detached HEAD and leave it detached where it was', async () => {
    const dir = gitRepo();
    writeFiles(dir, { 'a.txt': 'second\n' });
    git(dir, 'commit', '-qam', 'second');
    git(dir, 'checkout', '-q', '--detach', 'HEAD~1');
    writeFiles(dir, { 'a.txt': 'dirty on detached\n' });
    const before = userGitState(dir);

    const commit = await takeCheckpoint(await repository(dir), { message: 'test' });

    expect(filesIn(dir, commit)['a.txt']).toBe('dirty on detached\n');
    expect(userGitState(dir)).toEqual(before);
  });

  it('run no hook of the user (post-index-change would fire on a plain git add)', async () => {
    const dir = gitRepo();
    const marker = path.join(dir, '..', `${path.basename(dir)}-hook-ran`);
    const hook = path.join(dir, '.git/hooks/post-index-change');
    mkdirSync(path.dirname(hook), { recursive: true });
    writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\n`);
    chmodSync(hook, 0o755);
    writeFiles(dir, { 'c.txt': 'c\n' });

    await takeCheckpoint(await repository(dir), { message: 'test' });
    expect(existsSync(marker)).toBe(false);
    // The hook itself works: a user's own git add runs it.
    git(dir, 'add', 'c.txt');
    expect(existsSync(marker)).toBe(true);
  });

  it('chain to a parent and see later changes with the same checkpointer (its index is reused)', async () => {
    const dir = gitRepo();
    const checkpointer = createCheckpointer(await repository(dir));
    try {
      const first = await checkpointer.take({ message: 'one' });
      writeFiles(dir, { 'a.txt': 'edited between checkpoints\n' });
      const second = await checkpointer.take({ message: 'two', parent: first });
      expect(git(dir, 'rev-parse', `${second}^`).trim()).toBe(first);
      expect(git(dir, 'diff', '--name-only', first, second).trim()).toBe('a.txt');
      expect(filesIn(dir, second)['a.txt']).toBe('edited between checkpoints\n');
    } finally {
      checkpointer.dispose();
    }
  });

  it('see a file whose content changed with its size and modification time kept (racy-git)', async () => {
    const dir = gitRepo({ 'same.txt': 'aaaa\n' });
    const checkpointer = createCheckpointer(await repository(dir));
    try {
      await checkpointer.take({ message: 'one' });
      writeFiles(dir, { 'same.txt': 'bbbb\n' });
      const second = await checkpointer.take({ message: 'two' });
      expect(filesIn(dir, second)['same.txt']).toBe('bbbb\n');
    } finally {
      checkpointer.dispose();
    }
  });
});
