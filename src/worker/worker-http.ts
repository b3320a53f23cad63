/**
 * A worker's optional HTTP port: `/health` (JSON: its agents, queues, running tasks, Redis
 * connection; 503 while Redis is unreachable) and `/metrics` (Prometheus text: its agent calls,
 * tasks, queue jobs). Nothing else is served; it binds to loopback unless told otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { Metrics } from '../observability/metrics.js';
import type { QueueWorker } from '../service/queue-worker.js';

export interface WorkerHttp {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveWorkerHttp(options: { readonly host: string; readonly port: number; readonly worker: QueueWorker; readonly metrics: Metrics }): Promise<WorkerHttp> {
  const { worker, metrics } = options;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://worker');
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (url.pathname === '/health') {
      const status = worker.status();
      const healthy = status.redis === 'ready';
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: healthy ? (status.draining ? 'draining' : 'ok') : 'queue_unreachable', ...status }));
      return;
    }
    if (url.pathname === '/metrics') {
      metrics.queueRunning.set(worker.status().running.length);
      void metrics.exposition().then(
        (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'GET /health or /metrics' } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
