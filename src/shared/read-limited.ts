/**
 * Reads a file the user named, refusing to read past a size limit: a regular file's size is known
 * before reading; devices, pipes and FIFOs (`/dev/zero`, `<(…)`) are read in chunks and stopped
 * the moment they go past it, so no input can make us read gigabytes into memory.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { OrchestratorError } from './errors.js';

const CHUNK_BYTES = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

/** The file's text (UTF-8); an INVALID_INPUT error when it cannot be read or exceeds `maxBytes`. */
export function readFileLimited(file: string, maxBytes: number, what = 'file'): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new OrchestratorError('INVALID_INPUT', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const tooLarge = (): OrchestratorError =>
    new OrchestratorError('INVALID_INPUT', `${file} is larger than the ${formatBytes(maxBytes)} limit for a ${what}`);
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new OrchestratorError('INVALID_INPUT', `cannot read ${file}: it is a directory`);
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw new OrchestratorError('INVALID_INPUT', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw tooLarge();
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
