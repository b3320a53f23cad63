/**
 * The shell's line history, kept in $AI_ORCHESTRATOR_HOME/shell_history (one line per entry,
 * newest last, bounded) so arrow-up works across sessions. Unreadable or unwritable: no history,
 * never an error. Lines are tasks: they are redacted before they are kept, and the file is 0600.
 */
import { readFileSync } from 'node:fs';
import type { Redactor } from '../../security/redact.js';
import { appendPrivateFile, writePrivateFile } from '../../storage/private-files.js';

export const SHELL_HISTORY_MAX = 500;

export interface ShellHistory {
  /** Oldest first (readline wants newest first: reverse it). */
  readonly lines: readonly string[];
  add(line: string): void;
}

export interface ShellHistoryOptions {
  readonly max?: number;
  /** Applied to each line before it is kept (default: kept as typed). */
  readonly redact?: Redactor;
}

export function openShellHistory(file: string, options: ShellHistoryOptions = {}): ShellHistory {
  const max = options.max ?? SHELL_HISTORY_MAX;
  const redact = options.redact ?? ((line: string): string => line);
  let lines: string[] = [];
  try {
    lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-max);
  } catch {
    // no history yet
  }
  let appended = 0;
  return {
    get lines() {
      return lines;
    },
    add(typed) {
      const line = redact(typed);
      // One entry per line of the file: a pasted multi-line text is not stored.
      if (line.trim() === '' || /[\r\n]/.test(line) || lines.at(-1) === line) return;
      lines.push(line);
      appended++;
      try {
        if (lines.length > max || appended > max) {
          lines = lines.slice(-max);
          writePrivateFile(file, `${lines.join('\n')}\n`);
          appended = 0;
        } else {
          appendPrivateFile(file, `${line}\n`);
        }
      } catch {
        // history is a convenience
      }
    },
  };
}
