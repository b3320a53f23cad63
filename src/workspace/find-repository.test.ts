import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitRepo } from '../../test/helpers/git-repo.js';
import { spawnTurnsTaken } from '../process/spawn-turn.js';
import { findRepository } from './git.js';

describe('finding the repository of a directory', () => {
  it('knows a directory with no .git above it is in none without starting git; in a repository, git says where its top is', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'aio-no-git-'));
    const before = spawnTurnsTaken();
    expect(await findRepository(outside)).toBeUndefined();
    expect(spawnTurnsTaken()).toBe(before);

    const repo = gitRepo();
    mkdirSync(path.join(repo, 'deep', 'er'), { recursive: true });
    const found = await findRepository(path.join(repo, 'deep', 'er'));
    expect(found?.root).toBe(repo);
    expect(spawnTurnsTaken()).toBe(before + 1);
  });
});
