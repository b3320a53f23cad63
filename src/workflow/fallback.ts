/**
 * Fallback policy. A step's explicit `fallback` wins over `settings.fallback.map`; nothing falls
 * back when `settings.fallback.enabled` is false; one hop only (a fallback never has a fallback).
 *
 * Only failures that another agent could get past fall back: the provider is rate-limited, out
 * of quota, erroring (5xx), unreachable, too slow, the binary or model is missing, or its circuit
 * is open. Never: auth (fix your credentials — another provider would hide it), task_failed and
 * bad_output (the task or the answer is the problem, not the provider), config (your setup is
 * wrong) and cancelled (the user asked to stop).
 */
import type { FailureKind } from '../adapters/spec.js';

export const FALLBACK_KINDS: ReadonlySet<FailureKind> = new Set<FailureKind>([
  'rate_limit',
  'quota',
  'server',
  'network',
  'timeout',
  'not_installed',
  'circuit_open',
]);

export function shouldFallBack(kind: FailureKind | undefined): boolean {
  return kind !== undefined && FALLBACK_KINDS.has(kind);
}

export interface FallbackSettings {
  readonly enabled: boolean;
  readonly map: Readonly<Record<string, string>>;
}

/** The fallback agent of a step, if any (before availability and offline filtering). */
export function fallbackFor(
  step: { readonly agent: string; readonly fallback?: string },
  settings: FallbackSettings,
): string | undefined {
  if (!settings.enabled) return undefined;
  const target = step.fallback ?? settings.map[step.agent];
  return target && target !== step.agent ? target : undefined;
}
