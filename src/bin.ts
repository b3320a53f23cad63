#!/usr/bin/env node
/**
 * The `ai-orchestrator` binary. `--version` is answered before anything else is loaded (it is
 * what scripts and health checks call most); everything else runs `bin-main`, from the one-file
 * bundle with its compiled code cached when the build made one (see bin-bundle.ts), otherwise as
 * modules — when run from sources, or with AI_ORCHESTRATOR_UNBUNDLED=1.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  const bundled =
    process.env['AI_ORCHESTRATOR_UNBUNDLED'] === '1'
      ? undefined
      : (await import('./bin-bundle.js')).loadBundle({
          bundle: fileURLToPath(new URL('./bundle/cli.cjs', import.meta.url)),
          modules: fileURLToPath(new URL('./bin-main.js', import.meta.url)),
          command: args[0],
        });
  const entry = bundled ?? (await import('./bin-main.js'));
  process.exitCode = await entry.runBinary(process.argv);
}
