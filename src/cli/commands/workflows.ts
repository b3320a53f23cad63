import type { Command } from 'commander';
import { listWorkflows } from '../../config/workflows.js';
import { PLANNER_PREFERENCE } from '../../workflow/planner-preference.js';
import { createDataContext } from '../data-context.js';
import { printJson, printLine } from '../output.js';

export function registerWorkflowsCommand(program: Command): void {
  program
    .command('workflows')
    .description('list configured workflows and their steps')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { config } = await createDataContext(command).loadConfig();
      const workflows = listWorkflows(config).map((w) => ({
        name: w.name,
        description: w.description,
        offline: w.offline,
        steps: w.steps.map((s) => ({
          agent: s.agent,
          task: s.role,
          description: s.description,
          fallback: s.fallback ?? null,
        })),
      }));
      // Not a configured workflow but always there: an agent plans the steps for each task.
      const planner = config.settings.planner.agent ?? null;
      const plannedBy = planner ?? `the first available of ${PLANNER_PREFERENCE.join(', ')}`;
      const usedAsDefault = !Object.hasOwn(config.workflows, 'default');
      const dynamic = { description: `planned by an agent for each task (planner: ${plannedBy})`, planner, default: usedAsDefault };
      if (options.json) {
        printJson({ workflows, dynamic });
        return;
      }
      for (const w of workflows) {
        printLine(`${w.name}${w.offline ? ' (offline)' : ''} — ${w.description}`);
        w.steps.forEach((s, i) =>
          printLine(`  ${i + 1}. ${s.agent} ${s.task}${s.fallback ? ` (fallback: ${s.fallback})` : ''}${s.description ? ` — ${s.description}` : ''}`),
        );
      }
      printLine(`dynamic${usedAsDefault ? ' (the default: no workflow is named default)' : ''} — ${dynamic.description}`);
    });
}
