/**
 * `ai-orchestrator doctor [--json]`: liveness and readiness with per-component detail and a fix
 * hint per failed check. Exit code 0 when ready, 1 when not.
 */
import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check that this machine can run tasks: config, agents, database — with a fix for each problem')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { liveness, readiness } = await import('../../observability/health.js');
      const { openProbeCache } = await import('../../adapters/probe-cache.js');
      const { closeAllDatabases } = await import('../../storage/database.js');
      try {
        const report = await readiness({
          loadConfig: () => context.loadConfig(),
          home: context.home,
          env: context.env,
          probeCache: openProbeCache(context.home),
        });
        if (options.json) {
          printJson({ live: liveness().status === 'ok', ready: report.ready, checks: report.checks });
        } else {
          const mark = { pass: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
          for (const check of report.checks) {
            printLine(`${mark[check.status]} ${check.name}: ${check.detail}`);
            if (check.fix && check.status !== 'pass') printLine(`     fix: ${check.fix}`);
          }
          printLine(report.ready ? 'ready' : 'not ready');
        }
        process.exitCode = report.ready ? 0 : 1;
      } finally {
        closeAllDatabases();
      }
    });
}
