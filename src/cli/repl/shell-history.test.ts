import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../security/redact.js';
import { openShellHistory } from './shell-history.js';

describe('openShellHistory', () => {
  it('persists lines, skips blanks and repeats, and keeps only the newest', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-hist-')), 'sub', 'shell_history');
    const history = openShellHistory(file, { max: 3 });
    for (const line of ['a', 'a', ' ', 'b', 'c', 'd']) history.add(line);
    expect(history.lines).toEqual(['b', 'c', 'd']);
    expect(readFileSync(file, 'utf8')).toBe('b\nc\nd\n');
    expect(openShellHistory(file, { max: 3 }).lines).toEqual(['b', 'c', 'd']);
  });

  it('keeps a key typed into a task out of the file, which only its owner can read', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-hist-')), 'shell_history');
    const history = openShellHistory(file, { redact: createRedactor([]) });
    history.add('deploy with ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 please');
    expect(readFileSync(file, 'utf8')).toBe('deploy with [REDACTED] please\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
