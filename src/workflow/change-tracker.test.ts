import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectChangedFiles } from '../adapters/files-changed.js';
import { chainSnapshots, type DetectChanges } from './change-tracker.js';

describe('chainSnapshots', () => {
  it('attributes each change to its own step while taking one snapshot per step boundary', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'aio-chain-'));
    let snapshots = 0;
    const counting: DetectChanges = (dir) => {
      snapshots++;
      return detectChangedFiles(dir);
    };
    const detect = chainSnapshots(counting);

    const first = await detect(cwd);
    writeFileSync(path.join(cwd, 'a.txt'), 'a');
    expect(await first()).toEqual(['a.txt']);

    const second = await detect(cwd);
    writeFileSync(path.join(cwd, 'b.txt'), 'b');
    expect(await second()).toEqual(['b.txt']);

    const third = await detect(cwd);
    expect(await third()).toEqual([]);
    // 1 before the first step + 1 at each step's end (reused as the next step's start).
    expect(snapshots).toBe(4);
  });
});
