/**
 * How a failed command reports itself: one line on stderr (and, with --json, an error object on
 * stdout). Expected failures are OrchestratorErrors with their own code; a file-system error that
 * escaped its command is named by what could not be done to which path; anything else is a bug,
 * reported in one line with its stack kept for --verbose.
 */
import { ERROR_CODES, OrchestratorError, type ErrorCode } from '../shared/errors.js';

export interface Failure {
  readonly code: ErrorCode;
  readonly message: string;
  /** What stderr gets. */
  readonly line: string;
  readonly exitCode: number;
  readonly stack?: string;
}

const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'name too long',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
};

export function describeFailure(error: unknown): Failure {
  if (OrchestratorError.isInstance(error)) {
    return { code: error.code, message: error.message, line: `error: ${error.message}`, exitCode: error.exitCode };
  }
  const system = systemError(error);
  if (system) {
    const reason = SYSTEM_REASONS[system.code] ?? system.code;
    const message = system.path ? `cannot ${system.syscall ?? 'use'} ${system.path}: ${reason}` : `${system.syscall ?? 'file system'}: ${reason}`;
    return { code: 'IO_ERROR', message, line: `error: ${message}`, exitCode: ERROR_CODES.IO_ERROR.exitCode };
  }
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return {
    code: 'INTERNAL',
    message,
    line: `unexpected error: ${message} (--verbose shows where)`,
    exitCode: ERROR_CODES.INTERNAL.exitCode,
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  };
}

interface SystemError {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
}

function systemError(error: unknown): SystemError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  return { code, ...(syscall ? { syscall } : {}), ...(path ? { path } : {}) };
}
