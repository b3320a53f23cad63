/**
 * Reading a /proc file whole: one open, reads into a buffer kept for the next call until one
 * returns nothing, one close. /proc files report a size of 0, so `readFileSync` also stats each
 * one and allocates a 64 KiB buffer per read; the sweep after every agent reads several of them
 * (the kernel's counters, the environments of new processes).
 */
import { closeSync, openSync, readSync } from 'node:fs';

let scratch = Buffer.allocUnsafe(16 * 1024);

/** The file's bytes, valid until the next call (copy what must be kept). Throws as `openSync` does. */
export function readProcBytes(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const read = readSync(fd, scratch, length, scratch.length - length, null);
      if (read === 0) return scratch.subarray(0, length);
      length += read;
    }
  } finally {
    closeSync(fd);
  }
}

/** The file as text. */
export function readProcText(file: string): string {
  return readProcBytes(file).toString('utf8');
}
