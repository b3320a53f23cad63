/**
 * The shell's line history, kept in $AI_ORCHESTRATOR_HOME/shell_history (one line per entry,
 * newest last, bounded) so arrow-up works across sessions. Unreadable or unwritable: no history,
 * never an error.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SHELL_HISTORY_MAX = 500;

export interface ShellHistory {
  /** Oldest first (readline wants newest first: reverse it). */
  readonly lines: readonly string[];
  add(line: string): void;
}

export function openShellHistory(file: string, max = SHELL_HISTORY_MAX): ShellHistory {
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
    add(line) {
      // One entry per line of the file: a pasted multi-line text is not stored.
      if (line.trim() === '' || /[\r\n]/.test(line) || lines.at(-1) === line) return;
      lines.push(line);
      appended++;
      try {
        mkdirSync(path.dirname(file), { recursive: true });
        if (lines.length > max || appended > max) {
          lines = lines.slice(-max);
          writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
          appended = 0;
        } else {
          appendFileSync(file, `${line}\n`, { mode: 0o600 });
        }
      } catch {
        // history is a convenience
      }
    },
  };
}
