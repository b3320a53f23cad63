/**
 * Turns free user text into a safe FTS5 expression. Every term is reduced to letters and digits
 * and double-quoted, so input such as `multi-agent`, `a/b`, `don't`, `20.04`, `"`, `AND`, `*`,
 * `NEAR(` or an empty string can never reach FTS5 as syntax: the worst case is no terms, which
 * callers answer with an empty list.
 */

/** English stop words: dropped from queries (they cost the most and rank the least). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are aren as at be because been before being below ' +
    'between both but by can cannot could did didn do does doesn doing don down during each few for from further ' +
    'had has have having he her here hers herself him himself his how i if in into is isn it its itself just let ' +
    'me more most my myself no nor not of off on once only or other ought our ours ourselves out over own same she ' +
    'should so some such than that the their theirs them themselves then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you your yours ' +
    'yourself yourselves s t'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** Lower-cased words of a text, in order (letters, digits and combining marks only). */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
const nonAsciiWordChars = new Map<number, boolean>();

/** Whether a code point belongs to a word (what `words` splits on): letter, digit or combining mark. */
function isWordChar(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
  let known = nonAsciiWordChars.get(code);
  if (known === undefined) {
    known = WORD_CHAR.test(String.fromCodePoint(code));
    if (nonAsciiWordChars.size < 10_000) nonAsciiWordChars.set(code, known);
  }
  return known;
}

function isWholeWordChars(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) ?? 0;
    if (!isWordChar(code)) return false;
    if (code > 0xffff) i += 1;
  }
  return true;
}

/** The code point that ends just before `index` (a surrogate pair counts as one). */
function codePointBefore(text: string, index: number): number {
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/**
 * How many words of a lower-cased text start with `stem` and are at most 4 characters longer —
 * `words(text).filter((w) => w.startsWith(stem) && w.length <= stem.length + 4).length` — found
 * with indexOf instead of splitting the text into words (search re-scores 100 candidates per
 * query this way; splitting them was a third of a query's time).
 */
export function countStemWords(lowerText: string, stem: string): number {
  if (!isWholeWordChars(stem)) {
    // Empty, or not made of whole word characters (a cut surrogate pair): the plain definition.
    return words(lowerText).filter((w) => w.startsWith(stem) && w.length <= stem.length + 4).length;
  }
  let count = 0;
  for (let at = lowerText.indexOf(stem); at >= 0; at = lowerText.indexOf(stem, at + 1)) {
    if (at > 0 && isWordChar(codePointBefore(lowerText, at))) continue; // inside a word, not its start
    let end = at + stem.length;
    while (end < lowerText.length) {
      const code = lowerText.codePointAt(end) ?? 0;
      if (!isWordChar(code)) break;
      end += code > 0xffff ? 2 : 1;
    }
    if (end - at <= stem.length + 4) count += 1;
  }
  return count;
}

/**
 * The distinct query words worth searching for: stop words and one-letter words removed. When
 * that leaves nothing (a query of only stop words such as "AND"), the plain words are kept so the
 * user still gets an answer.
 */
export function queryWords(text: string): string[] {
  const all = [...new Set(words(text))];
  const kept = all.filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\p{N}/u.test(w)));
  return kept.length > 0 ? kept : all;
}

/** An FTS5 OR-expression of quoted terms; '' when there is nothing to search for. */
export function orExpression(terms: readonly string[]): string {
  return terms
    .map((term) => term.replace(/"/g, ''))
    .filter((term) => term.length > 0)
    .map((term) => `"${term}"`)
    .join(' OR ');
}
