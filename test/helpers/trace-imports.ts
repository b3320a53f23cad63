/**
 * Runs the CLI with a module-resolve hook (test/fixtures/trace-imports) and reports which
 * packages, and which of our own built modules, the command loaded — through static imports,
 * dynamic imports and require alike.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, runCli, type CliResult, type RunCliOptions } from './cli.js';

const TRACE_HOOK = pathToFileURL(path.join(REPO_ROOT, 'test/fixtures/trace-imports/register.mjs')).href;

/** The package names in a trace (scoped names kept whole: "@modelcontextprotocol/sdk"). */
export function packagesIn(trace: string): Set<string> {
  const names = new Set<string>();
  for (const url of trace.split('\n')) {
    const match = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

/** Our built modules in a trace, relative to dist/ ("adapters/registry.js"). */
export function modulesIn(trace: string): Set<string> {
  const dist = `${pathToFileURL(path.join(REPO_ROOT, 'dist')).href}/`;
  return new Set(trace.split('\n').filter((url) => url.startsWith(dist)).map((url) => url.slice(dist.length)));
}

/**
 * By default the binary runs as modules (AI_ORCHESTRATOR_UNBUNDLED=1), so the trace names each of
 * our modules and every package, zod and commander included. The bundle keeps the same graph —
 * esbuild runs a module reached only through a dynamic import when that import runs — which
 * `bundled: true` checks for the packages it leaves outside (everything but commander, zod, yaml).
 */
export async function runCliTraced(
  args: readonly string[],
  options: RunCliOptions & { readonly traceFile: string; readonly bundled?: boolean },
): Promise<CliResult & { readonly packages: Set<string>; readonly modules: Set<string> }> {
  rmSync(options.traceFile, { force: true });
  const result = await runCli(args, {
    ...options,
    env: {
      ...options.env,
      NODE_OPTIONS: `--import ${TRACE_HOOK}`,
      AIO_TRACE_IMPORTS: options.traceFile,
      AI_ORCHESTRATOR_UNBUNDLED: options.bundled === true ? undefined : '1',
    },
  });
  const trace = existsSync(options.traceFile) ? readFileSync(options.traceFile, 'utf8') : '';
  return { ...result, packages: packagesIn(trace), modules: modulesIn(trace) };
}
