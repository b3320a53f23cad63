import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openShellHistory } from './shell-history.js';

describe('openShellHistory', () => {
  it('persists lines, skips blanks and repeats, and keeps only the newest', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-hist-')), 'sub', 'shell_history');
    const history = openShellHistory(file, 3);
    for (const line of ['a', 'a', ' ', 'b', 'c', 'd']) history.add(line);
    expect(history.lines).toEqual(['b', 'c', 'd']);
    expect(readFileSync(file, 'utf8')).toBe('b\nc\nd\n');
    expect(openShellHistory(file, 3).lines).toEqual(['b', 'c', 'd']);
  });
});
