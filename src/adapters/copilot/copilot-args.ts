/**
 * The argv of one Copilot CLI run. The prompt goes on stdin (Copilot reads a piped stdin as the
 * prompt in non-interactive mode), the output is JSONL, and the role decides the tools:
 * edit roles may use every tool (`--allow-all-tools`, required headless), read-only roles get
 * the same minus `write` and `shell` — denied tools fail at once instead of waiting for a user.
 */
import type { AgentConfig } from '../../config/schema.js';
import { roleMayEdit, type Role } from '../../shared/roles.js';

export function buildCopilotArgs(agent: AgentConfig, role: Role, options: { readonly usageFile?: string } = {}): string[] {
  const args = ['--output-format', 'json', '--no-auto-update', '--no-ask-user'];
  if (agent.model) args.push('--model', agent.model);
  if (!roleMayEdit(role)) args.push('--allow-all-tools', '--deny-tool', 'write', '--deny-tool', 'shell');
  else if (agent.allow_bypass_permissions) args.push('--yolo');
  else args.push('--allow-all-tools');
  if (options.usageFile) args.push('--usage-output-file', options.usageFile);
  args.push(...agent.args);
  return args;
}
