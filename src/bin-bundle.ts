/**
 * Runs the binary from dist/bundle/cli.cjs — our modules and the small packages every command
 * needs at start (commander, zod, yaml) in one CommonJS file, written by scripts/bundle.mjs — with
 * V8's code cache for it kept in the home (`cache/compiled/`, one file per command).
 *
 * Why by hand: Node 20 has no compile cache for modules (`module.enableCompileCache` arrives in
 * 22.1), and its ES module loader resolves, reads and compiles each of the ≈ 400 files `run` needs
 * one by one; one file, compiled from its cache, starts `run` ≈ 100 ms sooner on a 2-core machine
 * (docs/benchmarks.md). `vm.Script` with `cachedData` is the API Node's own loaders use for this.
 *
 * The bundle is skipped (undefined: load the modules instead) when it is missing or older than
 * the modules it is built from, so a `tsc` run without the bundle step never runs stale code. The
 * cache is kept only in an existing home (private, 0700): V8 trusts a cache it accepts, so it must
 * never come from a place others can write. Its name carries the bundle's size and mtime and the
 * Node version; a cache V8 rejects is written again.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { resolveHome } from './config/config-source.js';

export interface BinaryEntry {
  runBinary(argv: readonly string[]): Promise<number>;
}

export interface BundleLocation {
  /** The bundle (dist/bundle/cli.cjs). */
  readonly bundle: string;
  /** The module the bundle is built from (dist/bin-main.js): a newer one means the bundle is stale. */
  readonly modules: string;
  /** The command being run (the first argument): each command keeps the code it compiled. */
  readonly command: string | undefined;
  readonly home?: string;
}

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

export function loadBundle(location: BundleLocation): BinaryEntry | undefined {
  const bundleStat = statOf(location.bundle);
  const modulesStat = statOf(location.modules);
  if (!bundleStat || (modulesStat && modulesStat.mtimeMs > bundleStat.mtimeMs)) return undefined;
  const cacheFile = codeCacheFile(location.home ?? resolveHome(), bundleStat, location.command);
  const cachedData = cacheFile ? readOrUndefined(cacheFile) : undefined;
  // ASCII only (scripts/bundle.mjs checks): read as latin1, with no UTF-8 decoding.
  const script = new vm.Script(Module.wrap(readFileSync(location.bundle, 'latin1')), {
    filename: location.bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile && (!cachedData || script.cachedDataRejected === true)) {
    // Written at exit, so the cache holds every function this command compiled, not just the top level.
    process.once('exit', () => writeCodeCache(cacheFile, script));
  }
  const moduleObject = { exports: {} };
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  wrapper.call(moduleObject.exports, moduleObject.exports, createRequire(location.bundle), moduleObject, location.bundle, path.dirname(location.bundle));
  return moduleObject.exports as BinaryEntry;
}

function codeCacheFile(home: string, bundle: Stats, command: string | undefined): string | undefined {
  if (!statOf(home)?.isDirectory()) return undefined;
  const identity = `${bundle.size}-${Math.round(bundle.mtimeMs)}-${process.version}-${process.arch}`.replace(/[^\w-]/g, '_');
  const name = command !== undefined && /^[a-z][a-z0-9-]{0,39}$/.test(command) ? command : 'other';
  return path.join(home, 'cache', 'compiled', `${name}.${identity}.bin`);
}

function writeCodeCache(file: string, script: vm.Script): void {
  try {
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const identity = path.basename(file).split('.')[1];
    // Caches of an earlier build or Node version can never be accepted again.
    for (const name of readdirSync(dir)) if (name.split('.')[1] !== identity) rmSync(path.join(dir, name), { force: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A cache that cannot be written costs only speed on the next start.
  }
}

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
