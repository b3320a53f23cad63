/**
 * `ai-orchestrator metrics`: the Prometheus exposition built from what the database remembers
 * (every agent call, each agent's circuit, every task), so the figures are there from a shell
 * between runs. The web server serves the same registry definitions at /metrics.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';

export function registerMetricsCommand(program: Command): void {
  program
    .command('metrics')
    .description('print Prometheus metrics (agent calls, failures, tokens, cost, circuits, tasks) from the recorded history')
    .option('--no-process', "leave out Node's process metrics")
    .action(async (options: { process: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { createMetrics, loadPersistedRecords } = await import('../../observability/metrics.js');
      const { loadPersistedTasks } = await import('../../service/metrics-records.js');
      const { databasePath, openDatabase, closeAllDatabases } = await import('../../storage/database.js');
      const { createAgentHealthStore } = await import('../../resilience/agent-health-store.js');
      const metrics = createMetrics({ defaultMetrics: options.process, oneShot: true });
      const file = databasePath(context.home);
      try {
        if (existsSync(file)) {
          const db = openDatabase(file);
          loadPersistedRecords(metrics, { health: createAgentHealthStore(db), tasks: loadPersistedTasks(db) });
        }
        process.stdout.write(await metrics.exposition());
      } finally {
        closeAllDatabases();
      }
    });
}
