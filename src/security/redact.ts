/**
 * Secrets are redacted before anything is logged, stored, streamed, reported or exported — agent
 * output and the task text alike. A secret is recognised three ways: by its shape (the key formats
 * of the providers people paste), by the name it is assigned to (`API_KEY=…`, `"password": "…"`)
 * and by value (the secrets of our environment and of the agents' configured `env`). Values
 * shorter than 8 characters are never redacted: they are too common in ordinary text to be
 * secrets worth hiding ("fake" once turned "hi from fake" into "hi from ******").
 */

/** Shorter values are never taken as secrets. */
export const MIN_SECRET_LENGTH = 8;

/**
 * A variable holds a secret when one of its name's words (split at `_`, `-`, `.` and camelCase)
 * is one of these, or ends in one of SECRET_WORD_ENDINGS. Whole words, so GIT_AUTHOR_NAME or
 * KEYBOARD_LAYOUT are not mistaken for secrets (a substring match redacted the author's name).
 */
const SECRET_WORDS = new Set([
  'KEY', 'KEYS', 'APIKEY', 'TOKEN', 'TOKENS', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE',
  'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'AUTH', 'AUTHORIZATION', 'COOKIE',
]);
const SECRET_WORD_ENDINGS = /(TOKEN|SECRET|PASSWORD|PASSWD|APIKEY|ACCESSKEY|PRIVATEKEY|SECRETKEY|CREDS|CREDENTIALS?)$/;

/** Whether an environment variable (or a key in a config or JSON text) of this name holds a secret. */
export function isSecretName(name: string): boolean {
  let secret = secretNames.get(name);
  if (secret === undefined) {
    secret = nameWords(name).some((word) => SECRET_WORDS.has(word) || SECRET_WORD_ENDINGS.test(word));
    // Every stored event is redacted as JSON, and its keys repeat: each name is judged once.
    if (secretNames.size >= MAX_REMEMBERED_NAMES) secretNames.clear();
    secretNames.set(name, secret);
  }
  return secret;
}

const secretNames = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 4096;

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word !== '');
}

/** Provider key formats, each long enough that ordinary words never match. */
const KEY_SHAPES: readonly RegExp[] = [
  // Anthropic (sk-ant-…), OpenAI project and legacy keys (sk-proj-…, sk-…).
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g,
  // GitHub personal, OAuth, user-to-server, server-to-server and refresh tokens; fine-grained PATs.
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  // Google API keys.
  /\bAIza[A-Za-z0-9_-]{30,}/g,
  // Slack bot, user, app-level, refresh and config tokens.
  /\bxox[a-z]-[A-Za-z0-9-]{10,}/g,
  // AWS access key ids (long-term and temporary).
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  // JSON Web Tokens: header.payload.signature, both JSON parts base64url of '{"'.
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
];

/** A PEM private key, whole. */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
/**
 * One cut off before its END line: its header lines and base64 body, whitespace and `\n` escapes
 * included (the text may be JSON), and nothing past them — a quote ends it, so JSON stays JSON.
 */
const PEM_PRIVATE_KEY_CUT = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[A-Za-z0-9+/=:,. \t\r\n-]|\\[nrt])*/g;

/** `Authorization: Bearer <token>` and the like: the scheme stays, the credential goes. */
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/g;

/**
 * `NAME=value` (environment, shell, .env, INI, URLs' query strings) and `name: value` (YAML,
 * JSON, headers). Group 1 is the name, group 2 what joins it to the value, group 3 the value.
 * A `:` assignment needs a name that looks like an identifier (quoted, or with `_`, `-` or an
 * upper-case letter), so prose such as "the key: understanding the code" is left alone. Quotes
 * may come escaped (`\"`): the text may be JSON holding JSON.
 */
const ASSIGNMENT = /(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_.-]*)((?:\\?["']?\s*=\s*|\\?["']\s*:\s*|\s*:\s+)(?:\\?["'])?)([^\s"'`,;&<>(){}[\]\\]+)/g;

export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

/** Collects secret values from environment-like maps (by variable name). */
export function secretValues(...sources: ReadonlyArray<Readonly<Record<string, string | undefined>>>): string[] {
  const values = new Set<string>();
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (value && value.length >= MIN_SECRET_LENGTH && isSecretName(name)) values.add(value);
    }
  }
  return [...values];
}

/**
 * The redactor of a run: our environment's secrets plus those written into the agents' `env`
 * (by name; `${NAME}` references expand from our environment, whose secrets are already known).
 */
export function createAgentsRedactor(
  agentEnvs: Iterable<Readonly<Record<string, string>>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Redactor {
  return createRedactor([...secretValues(env), ...[...agentEnvs].flatMap((agentEnv) => secretValues(agentEnv))]);
}

/**
 * A redactor safe on any text, JSON included: what it replaces never contains a quote or a
 * backslash, so a JSON document stays parseable after redaction.
 */
export function createRedactor(secrets: readonly string[] = secretValues(process.env)): Redactor {
  const values = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH);
  // Each value also as it appears inside a JSON string (quotes, backslashes, newlines escaped);
  // longest first, so a secret containing another is replaced whole.
  const exact = [...new Set(values.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const secret of exact) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    out = out.replace(PEM_PRIVATE_KEY, REDACTED).replace(PEM_PRIVATE_KEY_CUT, REDACTED);
    for (const shape of KEY_SHAPES) out = out.replace(shape, REDACTED);
    out = out.replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
    return out.replace(ASSIGNMENT, redactAssignment);
  };
}

/** Words that make a `…_KEY` name a database or data-structure key, not a credential. */
const HARMLESS_KEY_QUALIFIERS = new Set([
  'PRIMARY', 'FOREIGN', 'UNIQUE', 'COMPOSITE', 'SURROGATE', 'NATURAL', 'SORT', 'PARTITION', 'SHARD', 'ROUTING',
  'CACHE', 'HASH', 'MAP', 'DICT', 'OBJECT', 'LOOKUP', 'INDEX', 'IDEMPOTENCY', 'PUBLIC', 'HOT', 'SHORTCUT',
]);
/** Secret words that are also ordinary English: as a bare lower-case name before `: ` they are prose. */
const PROSE_WORDS = new Set(['key', 'keys', 'auth', 'cookie', 'tokens']);

function redactAssignment(match: string, name: string, joint: string, value: string): string {
  if (value.length < MIN_SECRET_LENGTH || value.includes(REDACTED) || value.startsWith('$')) return match;
  // Numbers are settings (max_tokens: 100000000), not secrets.
  if (/^[\d.]+$/.test(value)) return match;
  const prose = !joint.includes('=') && !/^\\?["']/.test(joint) && PROSE_WORDS.has(name);
  return !prose && isSecretName(name) && !isHarmlessKey(name) ? `${name}${joint}${REDACTED}` : match;
}

function isHarmlessKey(name: string): boolean {
  const words = nameWords(name);
  const last = words.at(-1);
  const before = words.at(-2);
  return (last === 'KEY' || last === 'KEYS') && before !== undefined && HARMLESS_KEY_QUALIFIERS.has(before);
}
