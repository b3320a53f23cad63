/**
 * Validated configurations remembered in the home, so a command reading an unchanged file skips
 * the YAML parser and the schema (together ≈ 70 ms of every command's start on a 2-core machine).
 * An entry answers only when the file's text (by its SHA-256) AND the build of the code that
 * validates it (the modules whose change could change the verdict) are exactly the ones it was
 * validated with; anything else is a miss, and the full load writes a fresh entry. Only valid
 * configurations are cached — errors always come from a full load, with their file:line:column —
 * and only those holding nothing the redactor calls secret (a key written into an agent's `env`
 * or `args`): secrets never land in the home, so such a file is simply validated every time.
 */
import { createHash } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAgentsRedactor } from '../security/redact.js';
import { jsonCacheFile } from '../storage/json-cache-file.js';
import type { OrchestratorConfig } from './schema.js';

const FORMAT = 2;
const MAX_ENTRIES = 8;

interface Entry {
  readonly file: string;
  readonly build: string;
  /** SHA-256 of the file's text (the text itself may hold secrets in comments). */
  readonly textHash: string;
  readonly config: OrchestratorConfig;
  readonly validatedAt: number;
}

export interface ConfigCache {
  /** The configuration validated from exactly this text of this file, if remembered. */
  get(file: string, text: string): OrchestratorConfig | undefined;
  /** Remembers a configuration that passed full validation (skipped if it holds a secret or does not survive JSON). */
  set(file: string, text: string, config: OrchestratorConfig): void;
}

/**
 * Identity of the validating code: size and mtime of the modules that decide what is valid.
 * Rebuilding or reinstalling the package changes it, so no entry outlives the code that made it.
 */
function buildIdentity(): string {
  const modules = ['./schema', './load', './workflows', '../shared/roles'].map((module) => {
    for (const extension of ['.js', '.ts']) {
      const stat = statOrUndefined(fileURLToPath(new URL(`${module}${extension}`, import.meta.url)));
      if (stat) return stat; // built (.js) or run from source (.ts): whichever exists
    }
    return undefined;
  });
  // The file holding this code too: in the binary's bundle (dist/bundle/cli.cjs) that is the
  // bundle itself, which every rebuild changes, and the separate modules are not beside it.
  return [statOrUndefined(fileURLToPath(import.meta.url)), ...modules].map((stat) => (stat ? `${stat.size}:${stat.mtimeMs}` : 'missing')).join('/');
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  const config = entry['config'] as Record<string, unknown> | null | undefined;
  return (
    typeof entry['file'] === 'string' &&
    typeof entry['build'] === 'string' &&
    typeof entry['textHash'] === 'string' &&
    typeof entry['validatedAt'] === 'number' &&
    typeof config === 'object' &&
    config !== null &&
    ['agents', 'workflows', 'settings'].every((key) => typeof config[key] === 'object' && config[key] !== null)
  );
}

function readEntries(content: unknown): Entry[] {
  if (typeof content !== 'object' || content === null) return [];
  const { format, entries } = content as { format?: unknown; entries?: unknown };
  return format === FORMAT && Array.isArray(entries) ? entries.filter(isEntry) : [];
}

/** True when JSON gives the same value back (no undefined in arrays, no NaN/Infinity, no class instances). */
function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => item !== undefined && survivesJson(item));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every((item) => item === undefined || survivesJson(item));
  }
  return false;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether the redactor would change the configuration: a key by value (agents' env), shape or name. */
function holdsSecret(config: OrchestratorConfig): boolean {
  const serialized = JSON.stringify(config);
  const redact = createAgentsRedactor(Object.values(config.agents).map((agent) => agent.env));
  return redact(serialized) !== serialized;
}

export function openConfigCache(home: string): ConfigCache {
  const store = jsonCacheFile(home, 'config');
  let build: string | undefined;
  const identity = (): string => (build ??= buildIdentity());
  return {
    get(file, text) {
      const textHash = sha256(text);
      const entry = readEntries(store.read()).find((e) => e.file === file && e.textHash === textHash && e.build === identity());
      return entry?.config;
    },
    set(file, text, config) {
      if (!survivesJson(config) || holdsSecret(config)) return;
      const others = readEntries(store.read())
        .filter((e) => e.file !== file)
        .sort((a, b) => b.validatedAt - a.validatedAt)
        .slice(0, MAX_ENTRIES - 1);
      store.write({ format: FORMAT, entries: [{ file, build: identity(), textHash: sha256(text), config, validatedAt: Date.now() }, ...others] });
    },
  };
}
