import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createdSince, findTagged, markPid, RUN_TAG_VARIABLE } from './process-table.js';

const PID_MAX = 32_768;

describe('which pids a sweep since a mark reads', () => {
  it('reads only pids handed out since the mark: above it and up to the last one', () => {
    // 9000 and 20000 are older than the mark: left from the pid counter's previous round.
    const pids = [1, 300, 4000, 5001, 5050, 5100, 9000, 20_000];
    expect(createdSince(pids, { pid: 5000, forks: 100 }, { last: 5100, forks: 180 }, PID_MAX)).toEqual([5001, 5050, 5100]);
  });

  it('reads every pid once the counter wrapped since the mark (last below the mark)', () => {
    const pids = [400, 5001, 31_000];
    expect(createdSince(pids, { pid: 30_000, forks: 100 }, { last: 500, forks: 3000 }, PID_MAX)).toEqual(pids);
  });

  it('reads every pid once the counter went all the way round (as many forks as pids)', () => {
    const pids = [400, 5001, 31_000];
    expect(createdSince(pids, { pid: 5000, forks: 100 }, { last: 5100, forks: 100 + PID_MAX }, PID_MAX)).toEqual(pids);
  });

  it('reads every pid when the fork count at the mark is unknown', () => {
    const pids = [400, 5001, 31_000];
    expect(createdSince(pids, { pid: 5000, forks: undefined }, { last: 5100, forks: 200 }, PID_MAX)).toEqual(pids);
  });
});

describe('a sweep since a mark just before a tagged process', () => {
  it('finds the process once, not each of its threads (whose ids read as the process)', async () => {
    const tag = `test-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env: { ...process.env, [RUN_TAG_VARIABLE]: tag }, stdio: 'ignore' });
    try {
      const pid = child.pid ?? -1;
      // Node starts its worker threads as it boots: wait until they are there.
      for (let i = 0; i < 100 && readdirSync(`/proc/${pid}/task`).length < 3; i++) await sleep(20);
      expect(readdirSync(`/proc/${pid}/task`).length).toBeGreaterThan(2);
      expect(findTagged((candidate) => candidate === tag, markPid(pid - 1))).toEqual([pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
