/**
 * HTTP availability answers remembered for a few seconds in the home (`cache/probes.json`), so a
 * burst of commands — `agents`, then `validate`, then `doctor` — probes each local model server
 * once, not once per command. Only probes are cached: PATH lookups and model-file checks are
 * local and cheaper than reading the cache. A server started a moment ago may read as down for
 * at most `ttlMs`. A URL carrying credentials (user:password@, a key in the query) is probed
 * every time, never written to the home.
 */
import { createRedactor } from '../security/redact.js';
import { jsonCacheFile } from '../storage/json-cache-file.js';
import type { Availability } from './spec.js';

const FORMAT = 1;

export interface ProbeCache {
  /**
   * The remembered answer for `url`, else `probe()`'s — run once for concurrent callers (two
   * agents on one server) and remembered unless `remember` says otherwise.
   */
  answer(url: string, probe: () => Promise<Availability>, remember?: () => boolean): Promise<Availability>;
}

interface Probe {
  readonly available: boolean;
  readonly detail: string;
  readonly at: number;
}

function isProbe(value: unknown): value is Probe {
  if (typeof value !== 'object' || value === null) return false;
  const probe = value as Record<string, unknown>;
  return typeof probe['available'] === 'boolean' && typeof probe['detail'] === 'string' && typeof probe['at'] === 'number';
}

export function openProbeCache(home: string, options: { readonly ttlMs?: number; readonly now?: () => number } = {}): ProbeCache {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const file = jsonCacheFile(home, 'probes');
  const fresh = (): Map<string, Probe> => {
    const content = file.read();
    const probes = typeof content === 'object' && content !== null && (content as { format?: unknown }).format === FORMAT ? (content as { probes?: unknown }).probes : undefined;
    const entries = typeof probes === 'object' && probes !== null ? Object.entries(probes) : [];
    const at = now();
    return new Map(entries.filter((entry): entry is [string, Probe] => isProbe(entry[1]) && at - entry[1].at >= 0 && at - entry[1].at < ttlMs));
  };
  const store = (url: string, availability: Availability): void => {
    const probes = fresh();
    probes.set(url, { available: availability.available, detail: availability.detail, at: now() });
    file.write({ format: FORMAT, probes: Object.fromEntries(probes) });
  };
  const running = new Map<string, Promise<Availability>>();
  const redact = createRedactor();
  const holdsCredentials = (url: string): boolean => {
    try {
      const parsed = new URL(url);
      if (parsed.username !== '' || parsed.password !== '') return true;
    } catch {
      return true; // not a URL we can vouch for: not remembered
    }
    return redact(url) !== url;
  };
  return {
    answer(url, probe, remember = () => true) {
      if (holdsCredentials(url)) return probe();
      const cached = fresh().get(url);
      if (cached) return Promise.resolve({ available: cached.available, detail: cached.detail });
      let answer = running.get(url);
      if (!answer) {
        answer = probe()
          .then((availability) => {
            if (remember()) store(url, availability);
            return availability;
          })
          .finally(() => running.delete(url));
        running.set(url, answer);
      }
      return answer;
    },
  };
}
