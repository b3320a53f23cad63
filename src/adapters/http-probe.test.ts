import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHttp } from './http-probe.js';

const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('HTTP availability probe', () => {
  it('is available when the health path answers 2xx, and says what a server answered otherwise', async () => {
    const base = await serve((req, res) => res.writeHead(req.url === '/health' ? 200 : 503).end('{}'));
    expect(await probeHttp(`${base}/health`)).toEqual({ available: true, detail: `${base}/health` });
    expect(await probeHttp(`${base}/models`)).toEqual({ available: false, detail: `${base}/models answered 503` });
  });

  it('names the transport error of a closed port and gives up on a silent server after the timeout', async () => {
    const closed = await serve(() => undefined);
    const closedUrl = `${closed}/health`;
    await new Promise((resolve) => servers.pop()?.close(resolve));
    expect(await probeHttp(closedUrl)).toEqual({ available: false, detail: `${closedUrl} is not reachable (connection refused)` });

    const silent = await serve(() => undefined);
    expect(await probeHttp(`${silent}/health`, { timeoutMs: 200 })).toEqual({ available: false, detail: `${silent}/health did not answer within 200 ms` });
  });

  it('stops when its caller cancels', async () => {
    const silent = await serve(() => undefined);
    const controller = new AbortController();
    const probe = probeHttp(`${silent}/health`, { signal: controller.signal, timeoutMs: 30_000 });
    controller.abort();
    expect(await probe).toEqual({ available: false, detail: `${silent}/health: probe cancelled` });
  });
});
