/**
 * Secrets are redacted before anything is logged, stored or streamed. A redactor knows the
 * secret values in play (API keys from the environment and agent config) and common key shapes.
 */
/**
 * A variable holds a secret when one of its name's words (split at `_`, `-`, `.` and camelCase)
 * is one of these, or ends in TOKEN/SECRET/PASSWORD/APIKEY. Whole words, so GIT_AUTHOR_NAME or
 * KEYBOARD_LAYOUT are not mistaken for secrets (a substring match redacted the author's name).
 */
const SECRET_WORDS = new Set([
  'KEY', 'KEYS', 'APIKEY', 'TOKEN', 'TOKENS', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PASSPHRASE',
  'CREDENTIAL', 'CREDENTIALS', 'AUTH', 'AUTHORIZATION', 'COOKIE',
]);
const SECRET_WORD_ENDINGS = /(TOKEN|SECRET|PASSWORD|APIKEY)$/;

/** Whether an environment variable of this name is treated as a secret. */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word !== '');
  return words.some((word) => SECRET_WORDS.has(word) || SECRET_WORD_ENDINGS.test(word));
}

const KEY_SHAPES = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bAIza[A-Za-z0-9_-]{30,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
];
/** `Authorization: Bearer <token>` and the like: the scheme stays, the credential goes. */
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/g;
export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

/** Collects secret values from environment-like maps (by variable name). */
export function secretValues(...sources: ReadonlyArray<Readonly<Record<string, string | undefined>>>): string[] {
  const values = new Set<string>();
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (value && value.length >= 6 && isSecretName(name)) values.add(value);
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
    return out.replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
  };
}
