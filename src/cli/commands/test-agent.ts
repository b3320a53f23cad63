/**
 * `ai-orchestrator test-agent <agent> <prompt>`: runs one agent once with exactly that prompt —
 * no workflow, no template, role `raw` (may edit) — to check that it is installed, configured and
 * answering. Registration only; the action loads on use.
 */
import type { Command } from 'commander';

export interface TestAgentOptions {
  readonly cwd?: string;
  readonly json?: boolean;
}

export function registerTestAgentCommand(program: Command): void {
  program
    .command('test-agent')
    .description('run one agent once with exactly this prompt (no workflow, no template); live output on stderr')
    .argument('<agent>', 'agent name from the configuration (see `ai-orchestrator agents`)')
    .argument('<prompt>', 'the prompt, sent as is; "-" reads it from stdin')
    .option('--cwd <dir>', 'directory the agent works in (default: settings.workspace_dir, i.e. the current directory)')
    .option('--json', 'print {"agent","success","output","error","files_modified","usage","duration_ms"} on stdout')
    .action(async (agent: string, prompt: string, options: TestAgentOptions, command: Command) => {
      const { runTestAgent } = await import('./test-agent-run.js');
      process.exitCode = await runTestAgent(agent, prompt, options, command);
    });
}
