import { describe, expect, it } from 'vitest';
import { createPullProgress, formatBytes, renderTtyLine } from './progress-bar.js';

function sink() {
  const chunks: string[] = [];
  return { chunks, out: { write: (text: string) => chunks.push(text) } };
}

describe('pull progress', () => {
  it('prints plain lines per status and per 10 % step when not a TTY', () => {
    const { chunks, out } = sink();
    const progress = createPullProgress({ out, tty: false });
    progress.update({ status: 'pulling manifest' });
    for (let done = 0; done <= 1000; done += 25) progress.update({ status: 'pulling abc', totalBytes: 1000, completedBytes: done });
    progress.update({ status: 'success' });
    progress.finish();
    expect(chunks[0]).toBe('pulling manifest\n');
    expect(chunks.filter((c) => c.startsWith('pulling abc:'))).toHaveLength(11);
    expect(chunks).toContain('pulling abc: 50% (500 B of 1.0 KB)\n');
    expect(chunks.at(-1)).toBe('success\n');
    expect(chunks.join('')).not.toContain('\r');
  });

  it('redraws one line with \\r on a TTY: bar, percent, bytes and speed', () => {
    const { chunks, out } = sink();
    let t = 0;
    const progress = createPullProgress({ out, tty: true, now: () => t, columns: 100 });
    progress.update({ status: 'pulling abc', totalBytes: 2_000_000_000, completedBytes: 0 });
    t = 1000;
    progress.update({ status: 'pulling abc', totalBytes: 2_000_000_000, completedBytes: 500_000_000 });
    t = 1010;
    progress.update({ status: 'pulling abc', totalBytes: 2_000_000_000, completedBytes: 510_000_000 });
    progress.finish();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]?.startsWith('\r\u001b[K')).toBe(true);
    expect(chunks[1]?.slice(4)).toMatch(/^pulling abc \[█+░+\] {2}25% 500\.0 MB\/2\.0 GB 500\.0 MB\/s$/);
    expect(chunks.at(-1)).toBe('\n');
  });

  it('formats bytes and a line without a total', () => {
    expect(formatBytes(7_365_960_935)).toBe('7.4 GB');
    expect(formatBytes(512)).toBe('512 B');
    expect(renderTtyLine('verifying sha256 digest', undefined, undefined, undefined, undefined, 80)).toBe('verifying sha256 digest');
  });
});
