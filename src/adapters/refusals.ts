/**
 * Refused tool calls, as each coding CLI reports them (measured against the real CLIs driven by
 * the scripted fake provider): a refusal exits 0 and the agent carries on, often claiming it did
 * what was refused, so the orchestrator has to notice on its own.
 *
 * - Claude Code: the final `result` lists `permission_denials` ({tool_name, tool_use_id,
 *   tool_input}); the tool_result said "Claude requested permissions to write to …, but you
 *   haven't granted it yet."
 * - Codex: nothing in the JSONL; stderr gets `ERROR codex_core::tools::router: error=patch
 *   rejected: writing outside of the project; rejected by user approval settings` (or "writing is
 *   blocked by read-only sandbox", or "exec command rejected by user").
 * - Gemini CLI: a `tool_result` with status `error` and an error type such as
 *   `path_not_in_workspace` / `policy_violation` / `tool_not_registered`, or the message "Path not
 *   in workspace: …" under `invalid_tool_params`.
 * - Copilot CLI: `tool.execution_complete` with `success: false` and `error.code: "denied"`
 *   ("Permission denied because no interactive user response was available…").
 */
import type { AgentEvent } from './spec.js';

/** The file or command a tool call aimed at, from its input. */
export function refusalTarget(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const record = input as Record<string, unknown>;
  for (const key of ['file_path', 'notebook_path', 'path', 'dir_path', 'command', 'cmd']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
    if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return value.join(' ');
  }
  return undefined;
}

const CODEX_REJECTION = /codex_core::tools::router: error=((patch|exec command) rejected\b[^\n]*)/g;

/** Codex's refusals, which it only logs on stderr. */
export function codexRefusals(stderr: string): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const match of stderr.matchAll(CODEX_REJECTION)) {
    const message = (match[1] ?? '').trim();
    const reason = message.replace(/^(patch|exec command) rejected:?\s*/, '') || message;
    events.push({ type: 'refusal', tool: match[2] === 'patch' ? 'apply_patch' : 'exec_command', reason });
  }
  return events;
}

/** Gemini CLI tool error types that mean "not allowed", not "tried and failed". */
const GEMINI_REFUSAL_TYPES = new Set(['path_not_in_workspace', 'policy_violation', 'tool_not_registered', 'sandbox_expansion_required']);

export function isGeminiRefusal(error: { readonly type?: string; readonly message?: string } | undefined): boolean {
  if (!error) return false;
  if (error.type !== undefined && GEMINI_REFUSAL_TYPES.has(error.type)) return true;
  return /^Path not in workspace\b/i.test(error.message ?? '');
}

/** Copilot CLI error codes of a tool call it did not run because permission was not given. */
export function isCopilotRefusal(error: { readonly code?: string } | undefined): boolean {
  return error?.code === 'denied' || error?.code === 'rejected';
}
