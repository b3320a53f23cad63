/**
 * stdout, line by line, in bounded memory: a line longer than `maxLineBytes` keeps its first
 * `maxLineBytes` bytes and ends with a `[… N bytes cut]` marker, so an agent printing hundreds of
 * megabytes without a newline cannot blow the orchestrator's memory (readline would buffer the
 * whole line). Lines end at `\n`; a `\r` before it is dropped.
 */
import { StringDecoder } from 'node:string_decoder';

/** Generous enough for a CLI's one-line JSON result carrying a whole (already capped) answer. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

export function cutMarker(bytes: number): string {
  return `[… ${bytes} bytes cut]`;
}

const NEWLINE = 0x0a;

export async function* readLines(input: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<string> {
  for await (const batch of readLineBatches(input, maxLineBytes)) yield* batch;
}

/**
 * The same lines, grouped as they arrived: the lines each chunk of input completed (the last,
 * unterminated one at the end). A reader that handles each group at once does per group what it
 * would otherwise do per line (an agent's output lines that arrive together become one event).
 */
export async function* readLineBatches(input: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<string[]> {
  let parts: Buffer[] = [];
  let kept = 0;
  let cut = 0;

  const take = (piece: Buffer): void => {
    const room = maxLineBytes - kept;
    if (piece.length <= room) {
      parts.push(piece);
      kept += piece.length;
      return;
    }
    if (room > 0) {
      parts.push(piece.subarray(0, room));
      kept += room;
    }
    cut += piece.length - Math.max(room, 0);
  };

  const finishLine = (): string => {
    const decoder = new StringDecoder('utf8');
    let line = decoder.write(parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, kept));
    // A cut through a multi-byte character leaves an incomplete sequence behind: drop it.
    const rest = cut > 0 ? '' : decoder.end();
    line += rest;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (cut > 0) line = `${line} ${cutMarker(cut)}`;
    parts = [];
    kept = 0;
    cut = 0;
    return line;
  };

  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const batch: string[] = [];
    let start = 0;
    for (let end = buffer.indexOf(NEWLINE, start); end >= 0; end = buffer.indexOf(NEWLINE, start)) {
      take(buffer.subarray(start, end));
      batch.push(finishLine());
      start = end + 1;
    }
    if (start < buffer.length) take(buffer.subarray(start));
    if (batch.length > 0) yield batch;
  }
  if (kept > 0 || cut > 0) yield [finishLine()];
}
