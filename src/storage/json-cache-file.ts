/**
 * A small JSON file of cached answers in the home (`<home>/cache/<name>.json`, private like the
 * rest of the home: it may hold configuration text). A cache only saves work: a missing,
 * unreadable or malformed file reads as empty, and a write that fails (read-only home) is skipped
 * — the next command simply computes the answer again. Writes go to a temporary file renamed
 * into place, so commands started together never read half a file.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from './private-files.js';

export interface JsonCacheFile {
  readonly path: string;
  /** The parsed content, or undefined when there is none (or it is not JSON). */
  read(): unknown;
  write(value: unknown): void;
}

export function jsonCacheFile(home: string, name: string): JsonCacheFile {
  const dir = path.join(home, 'cache');
  const file = path.join(dir, `${name}.json`);
  return {
    path: file,
    read() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return undefined; // no cache yet (or unreadable): computed again, then written
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined; // a damaged cache is a miss; the next write replaces it
      }
    },
    write(value) {
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        writePrivateFile(temporary, JSON.stringify(value));
        renameSync(temporary, file);
      } catch {
        // A cache that cannot be written (read-only or full home) costs speed, not correctness.
        rmSync(temporary, { force: true });
      }
    },
  };
}
