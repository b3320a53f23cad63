/** Small formatting helpers shared by the renderers and the command summaries. */
import type { Usage } from '../../adapters/spec.js';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

export function formatTokens(usage: Usage): string {
  const total = usage.inputTokens + usage.outputTokens;
  const tokens = total >= 1000 ? `${(total / 1000).toFixed(1)}k tokens` : `${total} tokens`;
  return usage.costUsd !== undefined ? `${tokens}, $${usage.costUsd.toFixed(4)}` : tokens;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
