import { describe, expect, it } from 'vitest';
import { REDACTED, createRedactor, isSecretName, secretValues } from './redact.js';

describe('secretValues', () => {
  it('collects values of variables whose names say they are secrets', () => {
    const values = secretValues(
      { ANTHROPIC_API_KEY: 'anthropic-value-1', GITHUB_TOKEN: 'gh-value-2', DB_PASSWORD: 'pw-value-3' },
      { awsSecretAccessKey: 'aws-value-4', PATH: '/usr/bin:/bin', HOME: '/home/someone', SHORT_TOKEN: 'abc' },
    );
    expect(values.sort()).toEqual(['anthropic-value-1', 'aws-value-4', 'gh-value-2', 'pw-value-3']);
  });

  it.each(['ANTHROPIC_API_KEY', 'OPENAI_APIKEY', 'AWS_SECRET_ACCESS_KEY', 'GH_TOKEN', 'HF_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'NPM_CONFIG__AUTH', 'apiKey', 'SMTP_PASSWD', 'GOOGLE_APPLICATION_CREDENTIALS', 'MYSERVICETOKEN'])(
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
    const redact = createRedactor(['abcdef', 'abcdef-ghijkl']);
    expect(redact('x abcdef-ghijkl y abcdef')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('treats secret values literally, not as patterns', () => {
    const redact = createRedactor(['a.b*c+d?$(e)']);
    expect(redact('value a.b*c+d?$(e) and aXbbbcd')).toBe(`value ${REDACTED} and aXbbbcd`);
  });

  it('ignores values too short to be secrets', () => {
    expect(createRedactor(['abc', ''])('abc abc')).toBe('abc abc');
  });

  it.each([
    ['anthropic', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345'],
    ['openai project', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['openai', 'sk-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['github classic', 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
    ['github fine-grained', 'github_pat_11AbCdEfGhIjKlMnOpQrStUvWx'],
    ['google', 'AIzaSyAbCdEfGhIjKlMnOpQrStUvWxYz0123456'],
    ['slack', 'xoxb-1234567890-abcdef'],
    ['aws access key id', 'AKIAABCDEFGHIJKLMNOP'],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ])('replaces %s key shapes it was never told about', (_label, key) => {
    const redact = createRedactor([]);
    expect(redact(`key=${key} end`)).toBe(`key=${REDACTED} end`);
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
