import { describe, expect, it } from 'vitest';
import { REDACTED, createAgentsRedactor, createRedactor, isSecretName, secretValues } from './redact.js';

describe('secretValues', () => {
  it('collects values of variables whose names say they are secrets', () => {
    const values = secretValues(
      { ANTHROPIC_API_KEY: 'anthropic-value-1', GITHUB_TOKEN: 'gh-value-2', DB_PASSWORD: 'pw-value-3' },
      { awsSecretAccessKey: 'aws-value-4', PATH: '/usr/bin:/bin', HOME: '/home/someone', SHORT_TOKEN: 'abc', SEVEN_TOKEN: 'abcdefg' },
    );
    expect(values.sort()).toEqual(['anthropic-value-1', 'aws-value-4', 'gh-value-2', 'pw-value-3']);
  });

  it.each(['ANTHROPIC_API_KEY', 'OPENAI_APIKEY', 'AWS_SECRET_ACCESS_KEY', 'GH_TOKEN', 'HF_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'NPM_CONFIG__AUTH', 'apiKey', 'SMTP_PASSWD', 'GOOGLE_APPLICATION_CREDENTIALS', 'MYSERVICETOKEN', 'DB_CREDS', 'AWSCREDS', 'STRIPE_SECRET_KEY', 'MY_PRIVATEKEY'])(
    '%s is a secret name',
    (name) => expect(isSecretName(name)).toBe(true),
  );

  it.each(['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'KEYBOARD_LAYOUT', 'MONKEY_BUSINESS', 'PATH', 'PWD', 'TOKENIZERS_PARALLELISM', 'AUTHOR'])(
    '%s is not a secret name',
    (name) => expect(isSecretName(name)).toBe(false),
  );
});

describe('createRedactor', () => {
  it('replaces every occurrence of each exact secret value', () => {
    const redact = createRedactor(['s3cr3t-value', 'other-secret!']);
    expect(redact('a s3cr3t-value b s3cr3t-value c other-secret! d')).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} d`);
  });

  it('replaces a longer secret whole even when it contains a shorter one', () => {
    const redact = createRedactor(['abcdefgh', 'abcdefgh-ijklmn']);
    expect(redact('x abcdefgh-ijklmn y abcdefgh')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('treats secret values literally, not as patterns', () => {
    const redact = createRedactor(['a.b*c+d?$(e)']);
    expect(redact('value a.b*c+d?$(e) and aXbbbcd')).toBe(`value ${REDACTED} and aXbbbcd`);
  });

  it('ignores values too short to be secrets (under 8 characters)', () => {
    expect(createRedactor(['abc', '', 'fake', 'abcdefg'])('hi from fake abc abcdefg')).toBe('hi from fake abc abcdefg');
    expect(createRedactor(['abcdefgh'])('x abcdefgh')).toBe(`x ${REDACTED}`);
  });

  it.each([
    ['anthropic', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345'],
    ['openai project', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['openai', 'sk-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['github classic', 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
    ['github fine-grained', 'github_pat_11AbCdEfGhIjKlMnOpQrStUvWx'],
    ['google', 'AIzaSyAbCdEfGhIjKlMnOpQrStUvWxYz0123456'],
    ['slack bot', 'xoxb-1234567890-abcdef'],
    ['slack user', 'xoxp-1234567890-1234567890-abcdef'],
    ['slack config', 'xoxe-1-ABCDEFGHIJKLMNOP'],
    ['github oauth', 'gho_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
    ['aws temporary key id', 'ASIAABCDEFGHIJKLMNOP'],
    ['aws access key id', 'AKIAABCDEFGHIJKLMNOP'],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ])('replaces %s key shapes it was never told about', (_label, key) => {
    const redact = createRedactor([]);
    expect(redact(`key=${key} end`)).toBe(`key=${REDACTED} end`);
  });

  it.each(['RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', ''])('replaces a whole PEM %sprivate key block', (kind) => {
    const pem = `-----BEGIN ${kind}PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END ${kind}PRIVATE KEY-----`;
    expect(createRedactor([])(`before\n${pem}\nafter`)).toBe(`before\n${REDACTED}\nafter`);
  });

  it('replaces a PEM private key cut off before its END line, header and body', () => {
    const cut = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcw';
    expect(createRedactor([])(`key:\n${cut}`)).toBe(`key:\n${REDACTED}`);
  });

  it('keeps JSON parseable: a cut-off key, an escaped quote after a secret name, a secret with quotes', () => {
    const redact = createRedactor(['pass"word\\with-escapes']);
    const document = {
      output: 'here: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      after: 'still here',
      note: 'password="abc\\"defghijkl" and token: "0123456789abcdef"',
      value: 'pass"word\\with-escapes',
    };
    const parsed = JSON.parse(redact(JSON.stringify(document))) as typeof document;
    expect(parsed.output).toBe(`here: ${REDACTED}`);
    expect(parsed.after).toBe('still here');
    expect(parsed.value).toBe(REDACTED);
    expect(parsed.note).not.toContain('0123456789abcdef');
  });

  it('leaves a public key or certificate alone', () => {
    const text = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----';
    expect(createRedactor([])(text)).toBe(text);
  });

  it.each([
    ['OPENAI_API_KEY=abcdefgh12345', `OPENAI_API_KEY=${REDACTED}`],
    ['export GITHUB_TOKEN="0123456789abcdef"', `export GITHUB_TOKEN="${REDACTED}"`],
    ['DB_PASSWORD = correcthorsebattery', `DB_PASSWORD = ${REDACTED}`],
    ['{"client_secret": "s3cr3t-value-here"}', `{"client_secret": "${REDACTED}"}`],
    ['password: hunter2hunter2', `password: ${REDACTED}`],
    ['https://x.test/cb?access_token=abcdef123456&x=1', `https://x.test/cb?access_token=${REDACTED}&x=1`],
    ['AWS_CREDS=AKIA-like-but-not-quite', `AWS_CREDS=${REDACTED}`],
    ['MY_SERVICE_CREDENTIAL: longenoughvalue', `MY_SERVICE_CREDENTIAL: ${REDACTED}`],
  ])('replaces the value assigned to a secret name: %s', (text, expected) => {
    expect(createRedactor([])(text)).toBe(expected);
  });

  it.each([
    'API_KEY=short',
    'max_tokens: 100000000',
    'primary_key: customer_id',
    'The key: understanding the layering',
    'GIT_AUTHOR_NAME=Ada_Lovelace_the_first',
    'export API_KEY=$ANTHROPIC_API_KEY',
  ])('leaves a non-secret assignment alone: %s', (text) => {
    expect(createRedactor([])(text)).toBe(text);
  });

  it('redacts values of secret-named variables in the agents\u2019 configured env, not the others', () => {
    const redact = createAgentsRedactor([{ SERVICE_TOKEN: 'literal-service-secret', GREETING: 'hello-world-greeting' }], {});
    expect(redact('literal-service-secret / hello-world-greeting')).toBe(`${REDACTED} / hello-world-greeting`);
  });

  it('keeps the scheme of an Authorization header and drops the credential', () => {
    expect(createRedactor([])('Authorization: Bearer abcdefghijklmnop1234.xyz')).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it('leaves ordinary text alone', () => {
    const text = 'The task-oriented risk-assessment at src/adapters/cli-runner.ts looks fine; GIT_AUTHOR_NAME=Ada';
    expect(createRedactor([])(text)).toBe(text);
  });

  it('by default redacts secret values from our environment', () => {
    process.env['AIO_TEST_API_KEY'] = 'value-from-the-environment';
    try {
      expect(createRedactor()('leaked value-from-the-environment')).toBe(`leaked ${REDACTED}`);
    } finally {
      delete process.env['AIO_TEST_API_KEY'];
    }
  });
});
