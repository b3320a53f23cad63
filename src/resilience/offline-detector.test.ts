import { afterEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '../../test/fake-local/server.js';
import { createOfflineDetector } from './offline-detector.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function probeServer(status: () => number): Promise<FakeServer> {
  server = await startFakeServer((_request, res) => {
    res.writeHead(status());
    res.end();
  });
  return server;
}

describe('offline detector', () => {
  it('without a probe, a cloud agent network failure marks the session offline for the TTL', async () => {
    let t = 0;
    const detector = createOfflineDetector({ autoDetect: true, ttlSeconds: 60, now: () => t });
    expect(await detector.isOffline()).toBe(false);
    detector.recordOutcome({ agent: 'local-code', local: true, success: false, kind: 'network' });
    expect(await detector.isOffline()).toBe(false);
    detector.recordOutcome({ agent: 'claude', local: false, success: false, kind: 'auth' });
    expect(await detector.isOffline()).toBe(false);
    detector.recordOutcome({ agent: 'claude', local: false, success: false, kind: 'network' });
    expect(await detector.isOffline()).toBe(true);
    expect(detector.reason()).toBe('claude: network failure');
    t = 61_000;
    expect(await detector.isOffline()).toBe(false);
    detector.recordOutcome({ agent: 'claude', local: false, success: false, kind: 'network' });
    detector.recordOutcome({ agent: 'codex', local: false, success: true });
    expect(await detector.isOffline()).toBe(false);
  });

  it('probes the configured URL with HEAD (2xx = online) and caches the verdict for the TTL', async () => {
    let status = 204;
    const fake = await probeServer(() => status);
    let t = 0;
    const detector = createOfflineDetector({ autoDetect: true, probeUrl: `${fake.url}/generate_204`, ttlSeconds: 30, now: () => t });
    expect(await detector.isOffline()).toBe(false);
    status = 503;
    expect(await detector.isOffline()).toBe(false);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'HEAD', path: '/generate_204' });
    t = 31_000;
    expect(await detector.isOffline()).toBe(true);
    expect(detector.reason()).toContain('answered 503');
    expect(fake.requests).toHaveLength(2);
  });

  it('treats an unreachable probe as offline, and re-probes after a cloud network failure', async () => {
    const fake = await probeServer(() => 200);
    const url = fake.url;
    const detector = createOfflineDetector({ autoDetect: true, probeUrl: url, ttlSeconds: 3600 });
    expect(await detector.isOffline()).toBe(false);
    await fake.close();
    server = undefined;
    expect(await detector.isOffline()).toBe(false);
    detector.recordOutcome({ agent: 'claude', local: false, success: false, kind: 'network' });
    expect(await detector.isOffline()).toBe(true);
    expect(detector.reason()).toContain('is not reachable (connection refused)');
  });

  it('never reports offline when auto_detect is off', async () => {
    const detector = createOfflineDetector({ autoDetect: false, probeUrl: 'http://127.0.0.1:9/', ttlSeconds: 60 });
    detector.recordOutcome({ agent: 'claude', local: false, success: false, kind: 'network' });
    expect(await detector.isOffline()).toBe(false);
  });
});
