import { describe, expect, it } from 'vitest';
import { git, gitRepo, writeFiles } from '../../test/helpers/git-repo.js';
import { splitPatch } from './task-patch.js';

describe('a patch split by file', () => {
  it('finds every file of a real git diff by its header, whatever its name holds (spaces, " b/", quotes, tabs, non-ASCII)', () => {
    const names = ['plain.txt', 'with space.txt', 'x b/y.txt', 'quote"d.txt', 'tab\there.txt', 'ünï côdé.txt', 'emoji 🙂.txt'];
    const repo = gitRepo(Object.fromEntries(names.map((name) => [name, 'before\n'])));
    writeFiles(repo, Object.fromEntries(names.map((name) => [name, `after ${name}\n`])));
    const patch = git(repo, '-c', 'core.quotePath=false', 'diff', '--no-color', '--no-renames');
    const files = splitPatch(patch);
    expect([...files.keys()].sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(files.get(name)).toContain(`+after ${name}`);
      expect(files.get(name)).not.toMatch(/\n$/);
    }
  });
});
