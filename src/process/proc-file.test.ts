import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcBytes, readProcText } from './proc-file.js';

describe('reading a /proc file', () => {
  it('reads files of size 0 in /proc to their end', () => {
    expect(readProcText('/proc/self/status')).toMatch(new RegExp(`^Tgid:\\s*${process.pid}$`, 'm'));
    expect(readProcText('/proc/stat')).toMatch(/\nprocesses \d+/);
  });

  it('reads a file larger than its buffer whole, and throws for a missing one', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-proc-')), 'big');
    const big = 'x'.repeat(100_000) + 'end';
    writeFileSync(file, big);
    expect(readProcText(file)).toBe(big);
    expect(readProcBytes(file).length).toBe(big.length);
    expect(() => readProcBytes(path.join(file, 'missing'))).toThrow();
  });
});
