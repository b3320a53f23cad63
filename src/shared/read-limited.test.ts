import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileLimited } from './read-limited.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-read-'));

describe('readFileLimited', () => {
  it('reads a file within the limit', () => {
    const file = path.join(tmp(), 'a.json');
    writeFileSync(file, '{"héllo": 1}');
    expect(readFileLimited(file, 100)).toBe('{"héllo": 1}');
  });

  it('refuses a regular file over the limit before reading it', () => {
    const file = path.join(tmp(), 'big.json');
    writeFileSync(file, 'x'.repeat(2048));
    expect(() => readFileLimited(file, 1024, 'context import')).toThrow(`${file} is larger than the 1 KiB limit for a context import`);
  });

  it('stops reading an endless device at the limit', () => {
    expect(() => readFileLimited('/dev/zero', 4 * 1024 * 1024)).toThrow('/dev/zero is larger than the 4 MiB limit');
  });

  it('says why a missing file or a directory cannot be read', () => {
    const dir = tmp();
    expect(() => readFileLimited(path.join(dir, 'none.json'), 10)).toThrow(/cannot read .*none\.json: ENOENT/);
    expect(() => readFileLimited(dir, 10)).toThrow('it is a directory');
  });
});
