/**
 * The two streaming framings local model servers use: NDJSON (Ollama: one JSON object per line)
 * and server-sent events (llama-server, OpenAI-compatible servers). Both turn a chunked body into
 * whole frames; a body cut off mid-frame simply ends (the caller decides whether the stream was
 * complete by what the frames said).
 */
import { createParser } from 'eventsource-parser';
import { DEFAULT_MAX_LINE_BYTES, readLines } from '../../process/line-reader.js';

/**
 * Lines of an NDJSON body, blank lines skipped; a trailing line without newline is kept. A line
 * past the reader's byte limit is cut (and then fails to parse) instead of filling memory.
 */
export async function* readNdjsonLines(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  for await (const line of readLines(body, DEFAULT_MAX_LINE_BYTES)) {
    const trimmed = line.trim();
    if (trimmed !== '') yield trimmed;
  }
}

/** The `data` of each server-sent event, in order (comments and keep-alives skipped). */
export async function* readSseData(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const pending: string[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event.data) });
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift() as string;
  }
  parser.feed(decoder.decode());
  while (pending.length > 0) yield pending.shift() as string;
}

/** Parses a frame's JSON; undefined when it is not JSON (the caller reports bad_output). */
export function parseJsonFrame(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
