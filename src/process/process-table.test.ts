import { describe, expect, it } from 'vitest';
import { createdSince } from './process-table.js';

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
