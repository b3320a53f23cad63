import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine, printTable } from '../output.js';

/** An open circuit says until when (local time): that is when the next trial call is allowed. */
function circuitText(circuit: string, openUntil: string | null): string {
  if (openUntil === null) return circuit;
  const until = new Date(openUntil);
  return Number.isNaN(until.getTime()) ? circuit : `${circuit} until ${until.toTimeString().slice(0, 8)}`;
}

export function registerAgentsCommand(program: Command): void {
  program
    .command('agents')
    .description('list configured agents, their roles and whether each can run here')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { config } = await context.loadConfig();
      const { describeAgents, NO_HEALTH_RECORD } = await import('../../adapters/describe-agents.js');
      const { openProbeCache } = await import('../../adapters/probe-cache.js');
      const agents = await describeAgents(config, { home: context.home, probeCache: openProbeCache(context.home) });
      if (options.json) {
        printJson({ agents });
        return;
      }
      printTable(
        ['NAME', 'TYPE', 'ROLE', 'ENABLED', 'AVAILABLE', 'CALLS', 'SUCCESS', 'LAST FAILURE', 'CIRCUIT', 'DESCRIPTION'],
        agents.map((a) => {
          const health = a.health ?? NO_HEALTH_RECORD;
          return [
            a.name,
            a.type,
            a.role,
            a.enabled ? 'yes' : 'no',
            a.available ? 'yes' : 'no',
            String(health.calls),
            health.success_rate === null ? '-' : `${Math.round(health.success_rate * 100)}%`,
            health.last_failure_kind ?? '-',
            circuitText(health.circuit, health.open_until),
            a.description,
          ];
        }),
      );
      // What to do about each last failure that has a fix (sign in, set a variable, start a server).
      for (const a of agents) {
        const health = a.health;
        if (health?.last_failure_kind && health.last_failure_fix) printLine(`${a.name}: last failure ${health.last_failure_kind} — fix: ${health.last_failure_fix}`);
      }
    });
}
