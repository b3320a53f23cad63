import type { Command } from 'commander';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check the config: YAML syntax, schema, workflow references, agent availability')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { config, source } = await context.loadConfig(); // throws ConfigError: file:line:col message
      const { describeAgents } = await import('../../adapters/describe-agents.js');
      const { openProbeCache } = await import('../../adapters/probe-cache.js');
      const agents = await describeAgents(config, { probeCache: openProbeCache(context.home) });
      const warnings = agents
        .filter((a) => a.enabled && !a.available)
        .map((a) => `agent "${a.name}" is enabled but not available: ${a.availability}`);
      if (config.agentic_team !== undefined) warnings.push('section "agentic_team" is not supported and is ignored');
      if (options.json) {
        printJson({ valid: true, path: source.path, source: source.kind, warnings, agents });
        return;
      }
      printLine(`valid: ${source.path} (${source.kind})`);
      for (const a of agents) {
        printLine(`  ${a.available ? 'ok  ' : 'miss'} ${a.name} (${a.type}${a.enabled ? '' : ', disabled'}): ${a.availability}`);
      }
      for (const w of warnings) printLine(`warning: ${w}`);
    });
}
