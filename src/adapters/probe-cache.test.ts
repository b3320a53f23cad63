import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { openProbeCache } from './probe-cache.js';
import type { Availability } from './spec.js';

function counting(answer: Availability) {
  let calls = 0;
  return {
    probe: () => {
      calls += 1;
      return Promise.resolve(answer);
    },
    calls: () => calls,
  };
}

describe('probe cache', () => {
  it('remembers an answer for a few seconds across openings (commands), then probes again', async () => {
    const home = tempDir();
    let now = 1_000_000;
    const open = () => openProbeCache(home, { ttlMs: 5_000, now: () => now });
    const server = counting({ available: false, detail: 'http://127.0.0.1:1/api/version unreachable (ECONNREFUSED)' });
    const url = 'http://127.0.0.1:1/api/version';
    expect(await open().answer(url, server.probe)).toEqual({ available: false, detail: 'http://127.0.0.1:1/api/version unreachable (ECONNREFUSED)' });
    now += 4_000;
    expect(await open().answer(url, server.probe)).toMatchObject({ available: false });
    expect(server.calls()).toBe(1);
    now += 2_000;
    await open().answer(url, server.probe);
    expect(server.calls()).toBe(2);
    expect(statSync(path.join(home, 'cache', 'probes.json')).mode & 0o777).toBe(0o600);
  });

  it('probes a server once for concurrent callers, and keeps servers apart', async () => {
    const cache = openProbeCache(tempDir());
    const a = counting({ available: true, detail: 'a' });
    const b = counting({ available: true, detail: 'b' });
    const answers = await Promise.all([cache.answer('http://a/', a.probe), cache.answer('http://a/', a.probe), cache.answer('http://b/', b.probe)]);
    expect(answers.map((x) => x.detail)).toEqual(['a', 'a', 'b']);
    expect([a.calls(), b.calls()]).toEqual([1, 1]);
  });

  it('probes a URL with credentials every time and never writes it to the home', async () => {
    const home = tempDir();
    const url = 'http://admin:hunter2hunter2@127.0.0.1:1/api/version';
    const server = counting({ available: false, detail: `${url} unreachable` });
    await openProbeCache(home).answer(url, server.probe);
    await openProbeCache(home).answer(url, server.probe);
    expect(server.calls()).toBe(2);
    expect(existsSync(path.join(home, 'cache', 'probes.json'))).toBe(false);
  });

  it('does not remember an answer its caller says is meaningless (a cancelled probe)', async () => {
    const home = tempDir();
    const server = counting({ available: false, detail: 'cancelled' });
    await openProbeCache(home).answer('http://a/', server.probe, () => false);
    await openProbeCache(home).answer('http://a/', server.probe);
    expect(server.calls()).toBe(2);
  });
});
