/**
 * `import()` of an ES-module-only package by name. The binary's CommonJS bundle turns every other
 * dynamic import into `require`, and keeps this module outside itself (scripts/bundle.mjs), so a
 * package that only loads as an ES module still loads through Node's own module loader.
 */
export function importPackage<T>(name: string): Promise<T> {
  return import(name) as Promise<T>;
}
