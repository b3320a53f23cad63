import { describe, expect, it } from 'vitest';
import { extractSuggestions } from './suggestions.js';

describe('extractSuggestions', () => {
  it('trusts a fenced JSON block with {"suggestions": [...]} over any list in the text', () => {
    const output = [
      'I looked at the code.',
      '1. this numbered line is prose, not a suggestion',
      '```json',
      JSON.stringify({ suggestions: ['Add input validation', { title: 'Handle EPIPE' }, { description: 'Describe it' }, { text: 'Text form' }] }),
      '```',
    ].join('\n');
    expect(extractSuggestions(output)).toEqual(['Add input validation', 'Handle EPIPE', 'Describe it', 'Text form']);
  });

  it('accepts a bare JSON object as the whole output', () => {
    expect(extractSuggestions('  {"suggestions": ["one", "two"]}\n')).toEqual(['one', 'two']);
  });

  it('takes an empty suggestions list as zero suggestions (the review converged)', () => {
    expect(extractSuggestions('All good.\n```json\n{"suggestions": []}\n```\n- not counted')).toEqual([]);
  });

  it('uses the last valid JSON block when there are several', () => {
    const output = '```json\n{"suggestions": ["old"]}\n```\nrevised:\n```json\n{"suggestions": ["new 1", "new 2"]}\n```';
    expect(extractSuggestions(output)).toEqual(['new 1', 'new 2']);
  });

  it('falls back to the text when JSON blocks are invalid or have no suggestions array', () => {
    const output = '```json\n{"suggestions": oops}\n```\n```json\n{"notes": []}\n```\n1. Real item';
    expect(extractSuggestions(output)).toEqual(['Real item']);
  });

  it('reads an object item without a title, description or text as its JSON, and gives up on a block with any other item', () => {
    expect(extractSuggestions('{"suggestions": [{"file": "a.ts", "line": 3}]}')).toEqual(['{"file":"a.ts","line":3}']);
    for (const item of ['{"title": 3}', '{"text": null}', '["nested"]', '7', 'null']) {
      expect(extractSuggestions(`\`\`\`json\n{"suggestions": ["ok", ${item}]}\n\`\`\`\n- from the text`)).toEqual(['from the text']);
    }
  });

  it('counts numbered items with . or ) and bullets with -, * or •', () => {
    const output = ['Suggestions:', '1. First', '2) Second', '- Third', '* Fourth', '• Fifth', '   10. Indented tenth'].join('\n');
    expect(extractSuggestions(output)).toEqual(['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Indented tenth']);
  });

  it('counts severity-tagged lines that are not list items', () => {
    const output = 'Critical: SQL injection in query()\nsome prose\nLow: naming\nThis is not high priority';
    expect(extractSuggestions(output)).toEqual(['Critical: SQL injection in query()', 'Low: naming']);
  });

  it('ignores lists and severity lines inside code fences', () => {
    const output = ['- Outside', '```ts', '- inside code', '1. also inside', 'high: inside', '```', '2. After the fence'].join('\n');
    expect(extractSuggestions(output)).toEqual(['Outside', 'After the fence']);
  });

  it('does not count empty bullets, plain prose or negative numbers', () => {
    expect(extractSuggestions('-\n1.\nJust prose here.\n-5 degrees\n')).toEqual([]);
  });

  it('finds nothing in empty output', () => {
    expect(extractSuggestions('')).toEqual([]);
  });
});
