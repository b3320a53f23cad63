/**
 * The argv of one `codex exec` run. The prompt goes on stdin (`-` as the prompt argument, last),
 * `-C` names the working directory, and the role decides the sandbox.
 */
import type { AgentConfig } from '../../config/schema.js';
import { roleMayEdit, type Role } from '../../shared/roles.js';

export function buildCodexArgs(agent: AgentConfig, role: Role, cwd: string): string[] {
  // --skip-git-repo-check: the orchestrator decides where agents work, git repository or not.
  const args = ['exec', '--json', '--skip-git-repo-check', '--color', 'never', '-C', cwd];
  if (agent.model) args.push('-m', agent.model);
  if (!roleMayEdit(role)) args.push('-s', 'read-only');
  else if (agent.allow_bypass_permissions) args.push('--dangerously-bypass-approvals-and-sandbox');
  else args.push('-s', 'workspace-write');
  args.push(...agent.args, '-');
  return args;
}
