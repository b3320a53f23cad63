/** Durations as people write them on the command line: 30s, 30m, 12h, 7d, 2w (combinable: 1d12h). */
import { OrchestratorError } from '../shared/errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds, or an INVALID_INPUT error naming the accepted forms. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  const parts = [...trimmed.matchAll(/(\d+)\s*([smhdw])/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== trimmed.replace(/\s/g, '')) {
    throw new OrchestratorError('INVALID_INPUT', `invalid duration "${text}" (use e.g. 30m, 12h, 7d, 2w)`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * (UNIT_MS[unit ?? ''] ?? 0), 0);
}
