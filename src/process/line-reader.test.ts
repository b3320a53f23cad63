import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLineBatches, readLines } from './line-reader.js';

async function linesOf(chunks: readonly (string | Buffer)[], maxLineBytes = 1024): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(Readable.from(chunks), maxLineBytes)) out.push(line);
  return out;
}

describe('readLines', () => {
  it('splits on \\n across chunks, drops the \\r of \\r\\n, and keeps a last line without newline', async () => {
    expect(await linesOf(['a', 'b\nc\r', '\n\nd'])).toEqual(['ab', 'c', '', 'd']);
    expect(await linesOf(['one\n'])).toEqual(['one']);
    expect(await linesOf([])).toEqual([]);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('héllo ✓\n');
    expect(await linesOf([bytes.subarray(0, 2), bytes.subarray(2, 8), bytes.subarray(8)])).toEqual(['héllo ✓']);
  });

  it('cuts a line longer than the limit and says how many bytes went', async () => {
    const long = 'x'.repeat(5000);
    expect(await linesOf([long.slice(0, 3000), `${long.slice(3000)}\nnext\n`], 1000)).toEqual([
      `${'x'.repeat(1000)} [… 4000 bytes cut]`,
      'next',
    ]);
  });

  it('never ends a cut line with half a character', async () => {
    const [line] = await linesOf([`${'é'.repeat(10)}\n`], 5);
    expect(line).toBe('éé [… 15 bytes cut]');
  });

  it('reads a 64 MB line without newline in bounded memory', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    function* huge(): Generator<Buffer> {
      for (let i = 0; i < 64; i += 1) yield chunk;
    }
    const out: string[] = [];
    for await (const line of readLines(Readable.from(huge()), 4096)) out.push(line);
    expect(out).toEqual([`${'a'.repeat(4096)} [… ${64 * 1024 * 1024 - 4096} bytes cut]`]);
  });
});

describe('readLineBatches', () => {
  it('groups the lines each chunk completed, and ends with the unterminated rest', async () => {
    const batches: string[][] = [];
    for await (const batch of readLineBatches(Readable.from(['a\nb\nc', 'd\n', 'no newline', ' yet\ne\nf']), 1024)) batches.push(batch);
    expect(batches).toEqual([['a', 'b'], ['cd'], ['no newline yet', 'e'], ['f']]);
  });
});
