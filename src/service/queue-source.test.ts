/**
 * Where a queued task's code comes from, on real repositories: the repository of the working
 * directory with its HEAD (or the base asked for) resolved to a commit, the directory's place in
 * it, a notice for uncommitted changes, and one clear error for each thing that is not there.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { git, gitRepo } from '../../test/helpers/git-repo.js';
import { resolveQueuedSource } from './queue-source.js';

describe('resolveQueuedSource', () => {
  it('names the repository of the working directory, its HEAD as a commit and the directory inside it', async () => {
    const repo = realpathSync(gitRepo());
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const source = await resolveQueuedSource({ cwd: path.join(repo, 'src'), baseDir: repo });
    expect(source).toEqual({ repo, base: head, subdir: 'src' });
  });

  it('resolves the base asked for, and says when the tree has changes the workers will not see', async () => {
    const repo = realpathSync(gitRepo());
    const first = git(repo, 'rev-parse', 'HEAD').trim();
    writeFileSync(path.join(repo, 'a.txt'), 'changed\n');
    git(repo, 'commit', '-q', '-am', 'second');
    writeFileSync(path.join(repo, 'a.txt'), 'not committed\n');
    const source = await resolveQueuedSource({ cwd: repo, baseDir: repo, base: 'HEAD~1' });
    expect(source.base).toBe(first);
    expect(source.notice).toMatch(/uncommitted changes in .* are not sent to the workers/);
  });

  it('refuses a directory outside any repository, a base that is no commit, and a repository without commits', async () => {
    const outside = tempDir('aio-plain-');
    await expect(resolveQueuedSource({ cwd: outside, baseDir: outside })).rejects.toThrow(/a queued task needs a git repository: .* is not in one/);
    const repo = gitRepo();
    await expect(resolveQueuedSource({ cwd: repo, baseDir: repo, base: 'no-such-branch' })).rejects.toThrow(/base no-such-branch is not a commit in/);
    const empty = gitRepo({ 'a.txt': 'a\n' }, { commit: false });
    await expect(resolveQueuedSource({ cwd: empty, baseDir: empty })).rejects.toThrow(/has no commit yet: a worker needs one to start from/);
  });

  it('passes a repository URL on as it is', async () => {
    const source = await resolveQueuedSource({ repo: 'https://example.invalid/team/app.git', base: 'main', cwd: '/', baseDir: '/' });
    expect(source).toEqual({ repo: 'https://example.invalid/team/app.git', base: 'main', subdir: '' });
  });
});
