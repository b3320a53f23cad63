/**
 * One error base class with a code catalog. Expected failures (bad config, unknown workflow,
 * missing agent) are OrchestratorErrors: the CLI prints their one-line message and exits non-zero,
 * never a stack trace. Anything else is a bug and keeps its stack.
 */
export const ERROR_CODES = {
  /** The configuration file cannot be read, parsed or validated. */
  CONFIG_INVALID: { exitCode: 2, retryable: false },
  /** A named workflow does not exist in the configuration. */
  WORKFLOW_NOT_FOUND: { exitCode: 2, retryable: false },
  /** A named agent does not exist, is disabled, or is not available. */
  AGENT_NOT_FOUND: { exitCode: 2, retryable: false },
  /** No agent of a workflow can run (all missing, disabled or filtered by offline mode). */
  NO_AVAILABLE_AGENT: { exitCode: 2, retryable: false },
  /** User input was rejected (empty task, bad flag value, bad path). */
  INVALID_INPUT: { exitCode: 2, retryable: false },
  /** A task id was not found in the task store. */
  TASK_NOT_FOUND: { exitCode: 2, retryable: false },
  /** The state database could not be opened or migrated. */
  DATABASE_ERROR: { exitCode: 1, retryable: false },
  /** An adapter was asked for a capability it does not have (e.g. pull on llama-server). */
  CAPABILITY_UNSUPPORTED: { exitCode: 2, retryable: false },
  /** A local model backend answered with an error or could not be reached. */
  BACKEND_ERROR: { exitCode: 1, retryable: true },
  /** The operation was cancelled by the user (Ctrl+C, cancel request). */
  CANCELLED: { exitCode: 130, retryable: false },
  /** The task's cost budget was spent. */
  BUDGET_EXCEEDED: { exitCode: 1, retryable: false },
  /** A git operation of the workspace layer failed (checkpoint, worktree, diff). */
  GIT_FAILED: { exitCode: 1, retryable: false },
  /** Rollback or apply refused: files changed since, or the change does not apply; the message names them. */
  WORKSPACE_CONFLICT: { exitCode: 3, retryable: false },
  /** The command line could not be parsed: unknown command or option, missing argument. */
  USAGE: { exitCode: 2, retryable: false },
  /** A file or folder could not be read or written (missing, not a directory, no permission, disk full). */
  IO_ERROR: { exitCode: 1, retryable: false },
  /** The job queue (Redis) could not be reached, or lost what it held for a task. */
  QUEUE_UNAVAILABLE: { exitCode: 1, retryable: true },
  /** The audit log's hash chain is broken: a record was changed, removed or inserted. */
  AUDIT_BROKEN: { exitCode: 1, retryable: false },
  /** A failure nobody planned for: a bug. The CLI prints one line; --verbose adds the stack. */
  INTERNAL: { exitCode: 1, retryable: false },
} as const satisfies Record<string, { exitCode: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

const MARKER = Symbol.for('ai-orchestrator.error');

export class OrchestratorError extends Error {
  readonly code: ErrorCode;
  readonly isRetryable: boolean;
  readonly exitCode: number;
  readonly [MARKER] = true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrchestratorError';
    this.code = code;
    this.isRetryable = ERROR_CODES[code].retryable;
    this.exitCode = ERROR_CODES[code].exitCode;
  }

  /** Works across module copies (a marker, not instanceof). */
  static isInstance(error: unknown): error is OrchestratorError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
