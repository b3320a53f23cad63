/**
 * An agent's stderr as bounded lines for the event log: chunks are split into lines, each line
 * cut to a readable length, and after `maxLines` lines in a step one notice replaces the rest —
 * a CLI that logs noisily cannot flood the task's events.
 */
export interface StderrLinesOptions {
  readonly maxLines?: number;
  readonly maxLineChars?: number;
  readonly emit: (line: string) => void;
}

export interface StderrLines {
  push(chunk: string): void;
  /** Emits a last partial line, if any. */
  flush(): void;
}

export function createStderrLines(options: StderrLinesOptions): StderrLines {
  const maxLines = options.maxLines ?? 200;
  const maxChars = options.maxLineChars ?? 500;
  let pending = '';
  let emitted = 0;
  const emit = (raw: string): void => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || emitted > maxLines) return;
    emitted++;
    if (emitted > maxLines) {
      options.emit(`[… more stderr of this step left out after ${maxLines} lines]`);
      return;
    }
    options.emit(line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line);
  };
  return {
    push(chunk) {
      pending += chunk;
      // Bound the partial line too: a stream with no newline must not grow it without end.
      if (pending.length > maxChars * 4 && !pending.includes('\n')) {
        emit(pending);
        pending = '';
        return;
      }
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) emit(part);
    },
    flush() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}
