import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTreeSnapshots, type TreeSnapshots } from '../adapters/files-changed.js';
import { chainSnapshots } from './change-tracker.js';

describe('chainSnapshots', () => {
  it('attributes each change to its own step while taking one snapshot per step boundary', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'aio-chain-'));
    const tree = createTreeSnapshots();
    let snapshots = 0;
    const counting: TreeSnapshots = {
      take(dir) {
        snapshots++;
        return tree.take(dir);
      },
      changed: (before, after) => tree.changed(before, after),
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
    // 1 before the first step + 1 at each step's end (also the next step's start).
    expect(snapshots).toBe(4);
  });

  it('takes a new snapshot at a step start in another directory, or when the last end failed', async () => {
    const one = mkdtempSync(path.join(os.tmpdir(), 'aio-chain-'));
    const two = mkdtempSync(path.join(os.tmpdir(), 'aio-chain-'));
    const tree = createTreeSnapshots();
    let failNext = false;
    const taken: string[] = [];
    const flaky: TreeSnapshots = {
      take(dir) {
        taken.push(dir);
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('snapshot failed'));
        }
        return tree.take(dir);
      },
      changed: (before, after) => tree.changed(before, after),
    };
    const detect = chainSnapshots(flaky);
    await (await detect(one))();
    const inTwo = await detect(two);
    writeFileSync(path.join(two, 'c.txt'), 'c');
    failNext = true;
    await expect(inTwo()).rejects.toThrow('snapshot failed');
    const again = await detect(two);
    writeFileSync(path.join(two, 'd.txt'), 'd');
    expect(await again()).toEqual(['d.txt']);
    expect(taken).toEqual([one, one, two, two, two, two]);
  });
});
