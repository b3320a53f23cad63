/** Small helpers shared by the four wire formats. */
import type { TokenUsage } from './types.js';

/** A complete HTTP answer (SSE bodies are written in one go: clients parse them the same way). */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const DEFAULT_USAGE: TokenUsage = { input: 10, output: 5 };

export function json(status: number, value: unknown, headers: Record<string, string> = {}): WireResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** `event: <name>` (optional) + `data: <json>` frames. */
export function sse(frames: readonly { event?: string; data: unknown }[], trailer = ''): WireResponse {
  const body =
    frames
      .map((frame) => `${frame.event ? `event: ${frame.event}\n` : ''}data: ${typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data)}\n\n`)
      .join('') + trailer;
  return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body };
}

export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

let counter = 0;
/** Unique ids for messages and tool calls within this process. */
export function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

export function retryHeaders(retryAfterSeconds: number | undefined): Record<string, string> {
  return retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
}
