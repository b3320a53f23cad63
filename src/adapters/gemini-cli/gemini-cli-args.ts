/**
 * The argv and default environment of one Gemini CLI run. The prompt goes on stdin with an empty
 * `-p` (Gemini prepends stdin to it), `-m` is always given (without it the CLI spends an extra
 * router call), and the role decides the approval mode.
 */
import type { AgentConfig } from '../../config/schema.js';
import { roleMayEdit, type Role } from '../../shared/roles.js';

/** The model used when the agent's config names none. */
export const GEMINI_DEFAULT_MODEL = 'gemini-2.5-flash';

/**
 * Trust the working directory the orchestrator chose (headless, an untrusted folder exits 55)
 * and skip the CLI's self-relaunch into a child Node process (about half a second per run).
 */
export const GEMINI_DEFAULT_ENV: Readonly<Record<string, string>> = {
  GEMINI_CLI_TRUST_WORKSPACE: 'true',
  GEMINI_CLI_NO_RELAUNCH: 'true',
};

export function buildGeminiCliArgs(agent: AgentConfig, role: Role): string[] {
  const args = ['-p', '', '-o', 'stream-json', '-m', agent.model ?? GEMINI_DEFAULT_MODEL, '--skip-trust'];
  // In `default` mode mutating tools are not even offered to the model: a read-only review.
  if (!roleMayEdit(role)) args.push('--approval-mode', 'default');
  else if (agent.allow_bypass_permissions) args.push('--approval-mode', 'yolo');
  else args.push('--approval-mode', 'auto_edit');
  args.push(...agent.args);
  return args;
}
