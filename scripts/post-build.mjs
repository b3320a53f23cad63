// Makes the built CLI executable (npm links the bin, but a direct ./dist/cli/main.js should run too).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
