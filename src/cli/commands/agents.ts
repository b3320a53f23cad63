import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printTable } from '../output.js';

export function registerAgentsCommand(program: Command): void {
  program
    .command('agents')
    .description('list configured agents, their roles and whether each can run here')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { config } = await context.loadConfig();
      const { describeAgents } = await import('../../adapters/describe-agents.js');
      const { openProbeCache } = await import('../../adapters/probe-cache.js');
      const agents = await describeAgents(config, { home: context.home, probeCache: openProbeCache(context.home) });
      if (options.json) {
        printJson({ agents });
        return;
      }
      printTable(
        ['NAME', 'TYPE', 'ROLE', 'ENABLED', 'AVAILABLE', 'CIRCUIT', 'DESCRIPTION'],
        agents.map((a) => [
          a.name,
          a.type,
          a.role,
          a.enabled ? 'yes' : 'no',
          a.available ? 'yes' : 'no',
          a.health?.circuit ?? 'closed',
          a.description,
        ]),
      );
    });
}
