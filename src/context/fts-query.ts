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
