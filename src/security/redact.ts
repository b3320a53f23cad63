/**
 * Secrets are redacted before anything is logged, stored or streamed. A redactor knows the
 * secret values in play (API keys from the environment and agent config) and common key shapes.
 */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;
const KEY_SHAPES = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bAIza[A-Za-z0-9_-]{30,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
];
export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

/** Collects secret values from environment-like maps (by variable name). */
export function secretValues(...sources: ReadonlyArray<Readonly<Record<string, string | undefined>>>): string[] {
  const values = new Set<string>();
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (value && value.length >= 6 && SECRET_NAME.test(name)) values.add(value);
    }
  }
  return [...values];
}

export function createRedactor(secrets: readonly string[] = secretValues(process.env)): Redactor {
  // Longest first, so a secret containing another is replaced whole.
  const exact = [...new Set(secrets)].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const secret of exact) out = out.split(secret).join(REDACTED);
    for (const shape of KEY_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  };
}
