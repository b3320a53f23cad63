import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from './bin-bundle.js';

function bundleDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-bin-bundle-'));
  const bundle = path.join(dir, 'cli.cjs');
  const modules = path.join(dir, 'bin-main.js');
  writeFileSync(bundle, "module.exports = { runBinary: async (argv) => argv.length + require('node:path').sep.length };");
  writeFileSync(modules, '// the modules the bundle is built from');
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);
  return { dir, bundle, modules, at, home: path.join(dir, 'no-home') };
}

describe('loadBundle', () => {
  it('runs the bundle as CommonJS (its own require) and returns its entry', async () => {
    const { bundle, modules, at, home } = bundleDir();
    at(modules, 1_000);
    at(bundle, 2_000);
    const entry = loadBundle({ bundle, modules, command: 'run', home });
    expect(await entry?.runBinary(['node', 'bin', 'run'])).toBe(4);
  });

  it('skips a bundle older than the modules (a build without the bundle step), or a missing one', () => {
    const { dir, bundle, modules, at, home } = bundleDir();
    at(bundle, 1_000);
    at(modules, 2_000);
    expect(loadBundle({ bundle, modules, command: 'run', home })).toBeUndefined();
    expect(loadBundle({ bundle: path.join(dir, 'absent.cjs'), modules, command: 'run', home })).toBeUndefined();
  });
});
