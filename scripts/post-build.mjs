// Makes the built CLI entry points executable (npm links the bin; a direct ./dist/cli/bin.js runs too).
import { chmodSync } from 'node:fs';
for (const file of ['bin.js', 'main.js']) chmodSync(new URL(`../dist/cli/${file}`, import.meta.url), 0o755);
