/** Probes: /health (open, liveness) and /ready (503 with the reasons when nothing can run). */
import { liveness, readiness } from '../../observability/health.js';
import type { ServerContext } from '../server-context.js';

export function registerHealthRoutes(context: ServerContext): void {
  context.api.route({
    method: 'GET',
    url: '/health',
    summary: 'liveness (no token needed)',
    handler: () => ({ status: 'healthy', timestamp: new Date().toISOString(), pid: process.pid, uptime_seconds: liveness().uptimeSeconds }),
  });

  context.api.route({
    method: 'GET',
    url: '/ready',
    summary: 'readiness: config, database and at least one usable agent; 503 with the failing checks',
    handler: async (_input, _request, reply) => {
      const ready = await readiness({ loadConfig: context.loadConfig, home: context.home, env: context.env, timeoutMs: 2_000 });
      const agents = ready.checks.filter((check) => check.name.startsWith('agent:') && check.status !== 'fail');
      if (ready.ready) return { status: 'ready', agents_count: agents.length, checks: ready.checks };
      const reasons = ready.checks.filter((check) => check.status === 'fail').map((check) => `${check.name}: ${check.detail}${check.fix ? ` (${check.fix})` : ''}`);
      return reply.status(503).send({ status: 'not_ready', agents_count: agents.length, reasons, checks: ready.checks });
    },
  });
}
