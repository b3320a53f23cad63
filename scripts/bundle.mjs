// Bundles the binary (dist/bin-main.js and everything it imports) into dist/bundle/cli.cjs, which
// dist/bin.js runs with V8's code cache (src/bin-bundle.ts says why). Packages stay outside the
// bundle — loaded from node_modules when used — except the small ones every command starts with.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';

/** Needed at start by most commands: in the bundle, so they compile with it and share its cache (the database driver's JavaScript too; its compiled module is loaded by path, see storage/database.ts). */
const BUNDLED_PACKAGES = ['commander', 'zod', 'yaml', 'better-sqlite3'];

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].filter(
  (name) => !BUNDLED_PACKAGES.includes(name),
);

const result = await build({
  entryPoints: [new URL('../dist/bin-main.js', import.meta.url).pathname],
  outfile: new URL('../dist/bundle/cli.cjs', import.meta.url).pathname,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  // Paths our modules find relative to themselves (package.json, config/, dist/ui) are one and two
  // folders up from dist/<folder>/ — as from dist/bundle/ — so import.meta.url is the bundle's URL.
  inject: [new URL('./bundle-import-meta.js', import.meta.url).pathname],
  define: { 'import.meta.url': 'bundleImportMetaUrl' },
  // Code compiled with vm.Script cannot run import() without an experimental option (and its
  // warning): dynamic imports become require, and importPackage — for ES-module-only packages —
  // stays outside the bundle, a real module beside it in dist/shared/.
  supported: { 'dynamic-import': false },
  plugins: [
    {
      name: 'import-package-outside',
      setup(esbuild) {
        esbuild.onResolve({ filter: /\/import-package\.js$/ }, () => ({ path: '../shared/import-package.js', external: true }));
      },
    },
  ],
  // Smaller and ASCII only (comments and spaces gone; names kept for stack traces): the binary
  // reads it as latin1, a third of the time UTF-8 decoding takes.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  write: false,
  logLevel: 'warning',
});

const [output] = result.outputFiles;
if (/\bimport\(/.test(output.text.replace(/\/\/.*$/gm, ''))) {
  throw new Error('the bundle still holds an import(): it cannot run in vm.Script; route it through importPackage');
}
if (/[\u0080-\uffff]/.test(output.text)) {
  throw new Error('the bundle holds a character outside ASCII (a regular expression literal?): write it as \\u…, the binary reads the bundle as latin1');
}
mkdirSync(dirname(output.path), { recursive: true });
writeFileSync(output.path, output.contents);
