/**
 * The two streaming framings local model servers use: NDJSON (Ollama: one JSON object per line)
 * and server-sent events (llama-server, OpenAI-compatible servers). Both turn a chunked body into
 * whole frames; a body cut off mid-frame simply ends (the caller decides whether the stream was
 * complete by what the frames said).
 */
import { createParser } from 'eventsource-parser';

/** Lines of an NDJSON body, blank lines skipped; a trailing line without newline is kept. */
export async function* readNdjsonLines(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line !== '') yield line;
      newline = buffer.indexOf('\n');
    }
  }
  const rest = (buffer + decoder.decode()).trim();
  if (rest !== '') yield rest;
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
