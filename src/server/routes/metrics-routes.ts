/**
 * /metrics — one Prometheus exposition: this process's runtime metrics plus the recorded history
 * (every agent call, circuit and task in the database, this server's own tasks included: each call
 * is recorded as it ends), rebuilt on every scrape so it is never stale.
 * /api/models/status — the local model backends the configuration uses, probed now.
 */
import { existsSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { collectLocalBackends, probeBackend } from '../../adapters/http/local-backends.js';
import { createMetrics, loadPersistedRecords } from '../../observability/metrics.js';
import { createAgentHealthStore } from '../../resilience/agent-health-store.js';
import { loadPersistedTasks } from '../../service/metrics-records.js';
import { databasePath, openDatabase } from '../../storage/database.js';
import type { ServerContext } from '../server-context.js';

export function registerMetricsRoutes(context: ServerContext): void {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });

  context.api.route({
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics: process + recorded agent calls, circuits and tasks',
    handler: async (_input, _request, reply) => {
      const history = createMetrics({ defaultMetrics: false });
      const file = databasePath(context.home);
      if (existsSync(file)) {
        const db = openDatabase(file);
        loadPersistedRecords(history, { health: createAgentHealthStore(db), tasks: loadPersistedTasks(db) });
      }
      const text = `${await processRegistry.metrics()}\n${await history.exposition()}`;
      return reply.type(history.contentType).send(text);
    },
  });

  context.api.route({
    method: 'GET',
    url: '/api/models/status',
    summary: 'local model backends (Ollama, llama-server, OpenAI-compatible): online, models, agents',
    handler: async () => {
      const config = context.service.config;
      const backends = await Promise.all(collectLocalBackends(config).map((backend) => probeBackend(backend, { signal: AbortSignal.timeout(3_000) })));
      const local = Object.entries(config.agents).filter(([, agent]) => ['ollama', 'llamacpp', 'openai-compatible', 'embedded'].includes(agent.type));
      return {
        summary: {
          local_agents: local.length,
          enabled_local_agents: local.filter(([, agent]) => agent.enabled).length,
          online_backends: backends.filter((b) => b.online).length,
          backends: backends.length,
          models: backends.reduce((sum, b) => sum + b.models.length, 0),
        },
        backends: backends.map((b) => ({ backend: b.type, url: b.url, online: b.online, loading: b.loading, version: b.version ?? null, models: b.models.map((m) => m.name), agents: b.agents, error: b.error ?? null, fix: b.fix ?? null, missing_models: b.missingModels })),
        agents: local.map(([name, agent]) => ({ name, type: agent.type, enabled: agent.enabled, model: agent.model ?? null })),
      };
    },
  });
}
