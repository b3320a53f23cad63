/**
 * The argv and default environment of one Claude Code run. The prompt always goes on stdin
 * (`-p` with no argument reads it), the output is the JSONL event stream, and the step's role
 * decides the permission mode.
 */
import type { AgentConfig } from '../../config/schema.js';
import { roleMayEdit, type Role } from '../../shared/roles.js';

/** Quiet, fast defaults that are harmless for users too (no telemetry, no self-update). */
export const CLAUDE_DEFAULT_ENV: Readonly<Record<string, string>> = {
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};

/** Tools a read-only step may not use, on top of the default mode refusing unapproved edits. */
const WRITE_TOOLS = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'];

export function buildClaudeCodeArgs(
  agent: AgentConfig,
  role: Role,
  options: { readonly asRoot: boolean },
): { args: string[]; env: Record<string, string> } {
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  const env: Record<string, string> = { ...CLAUDE_DEFAULT_ENV };
  if (agent.model) args.push('--model', agent.model);
  if (!roleMayEdit(role)) {
    args.push('--permission-mode', 'default', '--disallowedTools', WRITE_TOOLS.join(','));
  } else if (agent.allow_bypass_permissions) {
    args.push('--dangerously-skip-permissions');
    // Claude refuses the bypass mode as root unless told it runs in a sandbox.
    if (options.asRoot) env['IS_SANDBOX'] = '1';
  } else {
    args.push('--permission-mode', 'acceptEdits');
  }
  args.push(...agent.args);
  return { args, env };
}
