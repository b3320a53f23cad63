import { describe, expect, it } from 'vitest';
import { PREVIOUS_RESULT_MAX_CHARS, followUpTask } from './follow-up.js';

describe('followUpTask', () => {
  it('uses the web UI format', () => {
    expect(followUpTask({ task: 'write a.txt', result: 'wrote it' }, 'now b.txt')).toBe(
      'Previous task: write a.txt\nPrevious result: wrote it\n\nFollow-up: now b.txt',
    );
  });

  it('cuts a long previous result and says so', () => {
    const text = followUpTask({ task: 't', result: 'x'.repeat(PREVIOUS_RESULT_MAX_CHARS + 10) }, 'next');
    expect(text).toContain(`${'x'.repeat(PREVIOUS_RESULT_MAX_CHARS)}\n[… 10 more characters cut]`);
    expect(text).not.toContain('x'.repeat(PREVIOUS_RESULT_MAX_CHARS + 1));
    expect(text.endsWith('\n\nFollow-up: next')).toBe(true);
  });
});
