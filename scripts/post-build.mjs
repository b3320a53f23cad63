// Makes the built binary executable (npm links the bin; a direct ./dist/bin.js runs too).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/bin.js', import.meta.url), 0o755);
