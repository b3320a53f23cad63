/**
 * Bounded agent output. Whatever an agent prints, what we keep of one step — in memory, in the
 * database, in events and in reports — is at most `settings.output_limit_bytes`: its beginning
 * and its end (where answers and review verdicts usually are), joined by a `[… N bytes cut]`
 * marker saying how much of the middle went.
 */
import type { AgentEvent } from './spec.js';

export const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024;

export function cutNotice(bytes: number): string {
  return `[… ${bytes} bytes cut]`;
}

/** Text appended piece by piece and kept within `limitBytes` (plus the marker). */
export interface BoundedText {
  append(piece: string): void;
  /** The text kept: everything, or head + marker + tail once it grew past the limit. */
  text(): string;
  /** Bytes dropped from the middle so far. */
  cutBytes(): number;
  totalBytes(): number;
}

export function createBoundedText(limitBytes: number): BoundedText {
  const headLimit = Math.floor(limitBytes / 2);
  const tailLimit = limitBytes - headLimit;
  let head = '';
  let headBytes = 0;
  let overflowed = false;
  let tail: string[] = [];
  let tailBytes = 0;
  let total = 0;

  const pushTail = (piece: string, bytes: number): void => {
    tail.push(piece);
    tailBytes += bytes;
    // Compact now and then (not on every piece): keeps the work linear in what is appended.
    if (tailBytes > 2 * tailLimit) {
      const kept = lastBytes(tail.join(''), tailLimit);
      tail = [kept];
      tailBytes = Buffer.byteLength(kept);
    }
  };

  return {
    append(piece) {
      if (piece === '') return;
      const bytes = Buffer.byteLength(piece);
      total += bytes;
      if (!overflowed) {
        if (headBytes + bytes <= limitBytes) {
          head += piece;
          headBytes += bytes;
          return;
        }
        overflowed = true;
        const whole = head + piece;
        head = firstBytes(whole, headLimit);
        headBytes = Buffer.byteLength(head);
        const rest = whole.slice(head.length);
        pushTail(rest, Buffer.byteLength(rest));
        return;
      }
      pushTail(piece, bytes);
    },
    text() {
      if (!overflowed) return head;
      const kept = lastBytes(tail.join(''), tailLimit);
      const cut = total - headBytes - Buffer.byteLength(kept);
      return `${head}\n${cutNotice(cut)}\n${kept}`;
    },
    cutBytes() {
      if (!overflowed) return 0;
      return total - headBytes - Math.min(tailBytes, tailLimit);
    },
    totalBytes: () => total,
  };
}

/** `text` itself when within `limitBytes`, else its head and tail around a cut marker. */
export function capText(text: string, limitBytes: number): string {
  // Cheap exit: a string can never take more bytes than 3 per UTF-16 unit.
  if (text.length * 3 <= limitBytes || Buffer.byteLength(text) <= limitBytes) return text;
  const bounded = createBoundedText(limitBytes);
  bounded.append(text);
  return bounded.text();
}

/** The longest prefix of `text` within `bytes` bytes, never ending in half a character. */
function firstBytes(text: string, bytes: number): string {
  const cut = Buffer.from(text).subarray(0, bytes).toString('utf8');
  return cut.endsWith('\uFFFD') && !text.startsWith(cut) ? cut.slice(0, -1) : cut;
}

/** The longest suffix of `text` within `bytes` bytes, never starting in half a character. */
function lastBytes(text: string, bytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= bytes) return text;
  let start = buffer.length - bytes;
  // Skip UTF-8 continuation bytes (10xxxxxx) so the suffix starts on a character.
  while (start < buffer.length && ((buffer[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return buffer.subarray(start).toString('utf8');
}

/**
 * Caps the events a run shows and publishes (live display, the bus, stored events): streamed text
 * up to `limitBytes` and then one notice, every message, tool result and final output within the
 * limit. The run's result is folded from the uncut events (keeping head and tail), not from these.
 */
export function createEventLimiter(limitBytes: number): (event: AgentEvent) => AgentEvent | undefined {
  let shown = 0;
  let noticed = false;
  return (event) => {
    switch (event.type) {
      case 'text-delta': {
        if (noticed) return undefined;
        shown += Buffer.byteLength(event.text);
        if (shown <= limitBytes) return event;
        noticed = true;
        return { type: 'text-delta', text: `\n[… output beyond ${limitBytes} bytes not shown]\n` };
      }
      case 'text':
        return { ...event, text: capText(event.text, limitBytes) };
      case 'tool-result':
        return event.output === undefined ? event : { ...event, output: capText(event.output, limitBytes) };
      case 'tool-call': {
        if (event.input === undefined) return event;
        const size = Buffer.byteLength(JSON.stringify(event.input) ?? '');
        return size <= limitBytes ? event : { ...event, input: cutNotice(size) };
      }
      case 'finish':
        return event.output === undefined ? event : { ...event, output: capText(event.output, limitBytes) };
      case 'refusal':
        return { ...event, reason: capText(event.reason, limitBytes) };
      case 'start':
      case 'file-change':
      case 'proposed-change':
      case 'usage':
      case 'session':
      case 'error':
        return event;
    }
  };
}
