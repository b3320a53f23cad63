/**
 * Decides whether this session is offline, without depending on any public internet host:
 *
 * - With `settings.offline.probe_url` (env CONNECTIVITY_CHECK_URL): a HEAD request to it; a 2xx
 *   answer within the timeout is online, anything else offline. The verdict is cached for
 *   `probe_ttl` seconds; a cloud agent's network failure drops the cache so the next question
 *   probes again.
 * - Without a probe: a cloud (non-local) agent failing with kind `network` marks the session
 *   offline for `probe_ttl` seconds; a cloud agent succeeding clears the mark.
 *
 * The engine is given one detector per task and asks it before each step; when offline, a step
 * whose primary agent is a cloud agent goes straight to its local fallback.
 */
import type { FailureKind } from '../adapters/spec.js';
import { timeoutSignal } from '../shared/abort.js';
import { unreachableMessage } from '../shared/unreachable.js';

export interface OfflineDetectorSettings {
  /** settings.offline.auto_detect: false = never offline by detection. */
  readonly autoDetect: boolean;
  readonly probeUrl?: string;
  /** settings.offline.probe_ttl, seconds. */
  readonly ttlSeconds: number;
  /** Probe timeout (default 3 s). */
  readonly timeoutMs?: number;
  /** Monotonic milliseconds (tests inject a clock). */
  readonly now?: () => number;
}

export interface AgentOutcome {
  readonly agent: string;
  /** Local agents' failures say nothing about the internet. */
  readonly local: boolean;
  readonly success: boolean;
  readonly kind?: FailureKind;
}

export interface OfflineDetector {
  isOffline(options?: { readonly signal?: AbortSignal }): Promise<boolean>;
  recordOutcome(outcome: AgentOutcome): void;
  /** Why the last verdict was offline ("probe http://… unreachable", "claude: network failure"). */
  reason(): string | undefined;
}

export function createOfflineDetector(settings: OfflineDetectorSettings): OfflineDetector {
  const now = settings.now ?? (() => performance.now());
  const ttlMs = settings.ttlSeconds * 1000;
  let verdict: { offline: boolean; at: number; reason?: string } | undefined;
  let probing: Promise<boolean> | undefined;

  const fresh = (): boolean => verdict !== undefined && now() - verdict.at < ttlMs;

  async function probe(url: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      // The HTTP client loads only when there is a probe to send (settings.offline.probe_url).
      const { httpRequest } = await import('../adapters/http/request.js');
      const response = await httpRequest(url, { method: 'HEAD', signal: timeoutSignal(signal, settings.timeoutMs ?? 3000) });
      response.discard();
      const online = response.status >= 200 && response.status < 300;
      verdict = { offline: !online, at: now(), ...(online ? {} : { reason: `probe ${url} answered ${response.status}` }) };
    } catch (error) {
      if (signal?.aborted) throw error;
      verdict = { offline: true, at: now(), reason: unreachableMessage(`probe ${url}`, error) };
    }
    return verdict.offline;
  }

  return {
    async isOffline(options = {}) {
      if (!settings.autoDetect) return false;
      if (fresh()) return verdict?.offline ?? false;
      if (!settings.probeUrl) return false;
      probing ??= probe(settings.probeUrl, options.signal).finally(() => {
        probing = undefined;
      });
      return probing;
    },
    recordOutcome(outcome) {
      if (!settings.autoDetect || outcome.local) return;
      if (outcome.success) {
        verdict = { offline: false, at: now() };
      } else if (outcome.kind === 'network') {
        // With a probe, re-ask it; without one, the failure itself is the evidence.
        verdict = settings.probeUrl ? undefined : { offline: true, at: now(), reason: `${outcome.agent}: network failure` };
      }
    },
    reason() {
      return verdict?.offline && fresh() ? verdict.reason : undefined;
    },
  };
}

/** The detector configured by `settings.offline` (probe_url already carries CONNECTIVITY_CHECK_URL). */
export function offlineDetectorFromSettings(offline: {
  readonly auto_detect: boolean;
  readonly probe_url?: string | undefined;
  readonly probe_ttl: number;
}): OfflineDetector {
  return createOfflineDetector({
    autoDetect: offline.auto_detect,
    ttlSeconds: offline.probe_ttl,
    ...(offline.probe_url ? { probeUrl: offline.probe_url } : {}),
  });
}
