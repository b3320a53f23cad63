/**
 * `npm run bench`: runs every bench/*.bench.ts (or the ones named on the command line, by file
 * name or a substring of it) one after the other, each in this process.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ')}`);
  process.exitCode = 2;
}
for (const file of files) {
  console.error(`\n=== ${file} ===`);
  const module = (await import(pathToFileURL(path.join(dir, file)).href)) as { run?: () => Promise<void> };
  if (typeof module.run === 'function') await module.run();
}
