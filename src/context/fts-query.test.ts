import { describe, expect, it } from 'vitest';
import { countStemWords, orExpression, queryWords, words } from './fts-query.js';

/** The definition countStemWords must match: split into words, then count. */
function byWords(text: string, stem: string): number {
  return words(text).filter((w) => w.startsWith(stem) && w.length <= stem.length + 4).length;
}

const TEXTS = [
  'Tokenizers tokenize text; tokenization and re-tokenizing (tokens!) matter. TOKEN tokenizer_x xtoken',
  'Vitamin D deficiency: vitamins, vitaminD, multivitamin and vitamin-rich diets in 20 patients (patients\u2019 data).',
  'naïve café e\u0301tude — ÉTUDE, études; 𝐀𝐁c𝐀 abc𝐀bc; 你好世界 你好; x²³ 1,000.5 ½',
  'cell cells cellular cellulose cell-based cell\u0301s multicell',
  '',
];

describe('FTS query helpers', () => {
  it('counts stem words exactly as splitting into words does, across scripts, marks and surrogate pairs', () => {
    for (const text of TEXTS) {
      const lower = text.toLowerCase();
      const stems = new Set([...words(text).flatMap((w) => [w, w.slice(0, 3), w.slice(0, 5)]), 'cell', 'token', 'vitamin', 'é', '𝐀', 'abc', 'a-b', '']);
      for (const stem of stems) expect(countStemWords(lower, stem), `${JSON.stringify(stem)} in ${JSON.stringify(text.slice(0, 30))}`).toBe(byWords(text, stem));
    }
  });

  it('turns free text into safe OR expressions of content words', () => {
    expect(queryWords('The AND of multi-agent "systems"')).toEqual(['multi', 'agent', 'systems']);
    expect(orExpression(['multi', 'a"b'])).toBe('"multi" OR "ab"');
    expect(orExpression([])).toBe('');
  });
});
