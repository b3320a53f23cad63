#!/usr/bin/env node
/**
 * Entry point of the `ai-orchestrator` binary. `--version` is answered before anything else is
 * loaded (it is what scripts and health checks call most); everything else goes to main.ts.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  await import('./main.js');
}
