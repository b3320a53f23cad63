import { describe, expect, it } from 'vitest';
import { capText, createBoundedText, createEventLimiter } from './output-limit.js';
import type { AgentEvent } from './spec.js';

describe('bounded text', () => {
  it('keeps everything up to the limit', () => {
    const text = createBoundedText(10);
    for (const piece of ['ab', 'cd', 'efghij']) text.append(piece);
    expect(text.text()).toBe('abcdefghij');
    expect(text.cutBytes()).toBe(0);
  });

  it('past the limit keeps the head and the tail around a marker saying how much went', () => {
    const text = createBoundedText(10);
    for (let i = 0; i < 100; i += 1) text.append(String(i % 10));
    expect(text.text()).toBe('01234\n[… 90 bytes cut]\n56789');
    expect(text.totalBytes()).toBe(100);
  });

  it('counts bytes, not characters, and never splits a character', () => {
    const text = createBoundedText(8);
    text.append('ééééé'); // 10 bytes
    text.append('✓✓✓'); // 9 bytes
    const kept = text.text();
    expect(kept).toMatch(/^éé\n\[… \d+ bytes cut\]\n✓$/);
    expect(kept).not.toContain('\uFFFD');
  });

  it('stays within the limit while 50 MB stream through', () => {
    const text = createBoundedText(1000);
    const line = `${'x'.repeat(999)}\n`;
    for (let i = 0; i < 50_000; i += 1) text.append(line);
    const kept = text.text();
    expect(Buffer.byteLength(kept)).toBeLessThan(1000 + 40);
    expect(kept).toContain(`[… ${50_000_000 - 1000} bytes cut]`);
  });
});

describe('capText', () => {
  it('leaves a short text alone and cuts a long one', () => {
    expect(capText('short', 10)).toBe('short');
    expect(capText('a'.repeat(20), 10)).toBe(`aaaaa\n[… 10 bytes cut]\naaaaa`);
  });
});

describe('the event limiter', () => {
  it('passes streamed text up to the limit, then one notice, then nothing', () => {
    const limit = createEventLimiter(10);
    const shown = ['12345', '67890', 'abc', 'def'].map((text) => limit({ type: 'text-delta', text }));
    expect(shown.slice(0, 2)).toEqual([
      { type: 'text-delta', text: '12345' },
      { type: 'text-delta', text: '67890' },
    ]);
    expect(shown[2]).toEqual({ type: 'text-delta', text: '\n[… output beyond 10 bytes not shown]\n' });
    expect(shown[3]).toBeUndefined();
  });

  it('caps messages, tool results, tool inputs and the final output', () => {
    const limit = createEventLimiter(10);
    const long = 'y'.repeat(30);
    const events: AgentEvent[] = [
      { type: 'text', text: long },
      { type: 'tool-result', ok: true, output: long },
      { type: 'tool-call', name: 'write', input: { content: long } },
      { type: 'finish', success: true, output: long },
    ];
    const shown = events.map(limit);
    expect(shown[0]).toEqual({ type: 'text', text: capText(long, 10) });
    expect(shown[1]).toMatchObject({ output: capText(long, 10) });
    expect(shown[2]).toMatchObject({ name: 'write', input: '[… 44 bytes cut]' });
    expect(shown[3]).toMatchObject({ success: true, output: capText(long, 10) });
    expect(limit({ type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } })).toEqual({ type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } });
  });
});
