/** Sentences of a text that share words with the query: what a hit shows besides its title. */
import { queryWords, words } from './fts-query.js';

export function highlights(query: string, text: string, max = 3, width = 200): string[] {
  const wanted = new Set(queryWords(query).map(stemKey));
  if (wanted.size === 0) return [];
  const found: string[] = [];
  for (const sentence of text.split(/(?<=[.!?])\s+|\n+/)) {
    const trimmed = sentence.trim();
    if (trimmed.length <= 10) continue;
    if (!words(trimmed).some((w) => wanted.has(stemKey(w)))) continue;
    found.push(trimmed.length > width ? `${trimmed.slice(0, width - 1)}…` : trimmed);
    if (found.length >= max) break;
  }
  return found;
}

/** A crude shared stem (first 5 letters) so "tests" highlights "testing". */
function stemKey(word: string): string {
  return word.slice(0, 5);
}
