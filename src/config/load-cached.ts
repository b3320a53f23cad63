/**
 * The configuration for commands that should start fast: answered from the validated-config
 * cache when the file is unchanged, without loading the YAML parser or the schema; otherwise the
 * full load (load.ts, imported only then), which validates and refreshes the cache.
 */
import { readFileSync } from 'node:fs';
import { openConfigCache } from './config-cache.js';
import { applyEnvironment, findConfigSource, type LoadConfigOptions, type LoadedConfig } from './config-source.js';

export async function loadConfigCached(options: LoadConfigOptions & { readonly home: string }): Promise<LoadedConfig> {
  const source = findConfigSource(options);
  let text: string | undefined;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch {
    text = undefined; // the full load reports it, with the file name
  }
  const cached = text === undefined ? undefined : openConfigCache(options.home).get(source.path, text);
  if (cached) return { config: applyEnvironment(cached, options.env ?? process.env), source };
  const { loadConfig } = await import('./load.js');
  return loadConfig(options);
}
