/**
 * Fallback routing. A step's explicit `fallback` wins over `settings.fallback.map`; nothing falls
 * back when `settings.fallback.enabled` is false; one hop only (a fallback never has a fallback).
 * Which failure kinds move a step to its fallback is decided by the one policy table
 * (resilience/policy.ts FAILURE_POLICY), re-exported here for the engine.
 */
export { FALLBACK_KINDS, shouldFallBack } from '../resilience/policy.js';

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
