import type { Command } from 'commander';
import { createCliContext } from '../context.js';
import { printJson, printTable } from '../output.js';

export function registerAgentsCommand(program: Command): void {
  program
    .command('agents')
    .description('list configured agents, their roles and whether each can run here')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = createCliContext(command);
      const { describeAgents } = await import('../../adapters/describe-agents.js');
      const agents = await describeAgents(context.config().config, { home: context.home });
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
