/**
 * A worker's clone cache on real repositories: a clone is made and fetched for a task, a base
 * commit this process has fetched already is served without reaching the repository again, and
 * anything else (a branch name, a commit a new process has not fetched itself) is fetched.
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { git, gitRepo } from '../../test/helpers/git-repo.js';
import { createCloneCache } from './clone-cache.js';

describe('clone cache', () => {
  it('serves a base commit it fetched before without the repository, and fetches a branch name every time', async () => {
    const repo = gitRepo();
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const cache = createCloneCache(tempDir('aio-clones-'));
    const first = await cache.prepare(repo, head);
    expect(first.baseCommit).toBe(head);
    expect(git(first.root, 'cat-file', '-t', head).trim()).toBe('commit');

    // The repository is out of reach: only what needs no fetch can still be prepared.
    renameSync(repo, `${repo}-moved`);
    expect(await cache.prepare(repo, head)).toEqual(first);
    expect(await cache.prepare(repo, head.toUpperCase())).toEqual(first);
    await expect(cache.prepare(repo, 'main')).rejects.toThrow(/fetch failed/);
    await expect(cache.prepare(repo, undefined)).rejects.toThrow(/fetch failed/);
  });

  it('fetches a commit it did not fetch itself, even when the clone holds it already', async () => {
    const repo = gitRepo();
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const dir = tempDir('aio-clones-');
    await createCloneCache(dir).prepare(repo, head);
    renameSync(repo, `${repo}-moved`);
    // Another process (a restarted worker) over the same clones: the clone has the commit, but
    // an interrupted fetch could have left it without its trees, so it is fetched again.
    await expect(createCloneCache(dir).prepare(repo, head)).rejects.toThrow(/fetch failed/);
    renameSync(`${repo}-moved`, repo);
    const again = await createCloneCache(dir).prepare(repo, head);
    expect(path.dirname(again.root)).toBe(dir);
  });
});
