import { describe, expect, it } from 'vitest';
import { buildAgentEnv } from './agent-env.js';

const OURS = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/me',
  LANG: 'C.UTF-8',
  AWS_SECRET: 'unrelated-cloud-secret',
  DATABASE_URL: 'postgres://user:pw@db/prod',
  NODE_OPTIONS: '--require /tmp/evil.js',
  ANTHROPIC_API_KEY: 'anthropic-key',
  OPENAI_API_KEY: 'openai-key',
  GEMINI_API_KEY: 'gemini-key',
  GH_TOKEN: 'gh-token',
  MY_KEY: 'mine',
};

describe('buildAgentEnv', () => {
  it('passes the basics and the agent provider variables, nothing else', () => {
    const env = buildAgentEnv({ kind: 'codex', source: OURS });
    expect(env).toEqual({ PATH: '/usr/bin:/bin', HOME: '/home/me', LANG: 'C.UTF-8', OPENAI_API_KEY: 'openai-key' });
  });

  it('keeps an unrelated secret and other providers keys away from a codex agent', () => {
    const env = buildAgentEnv({ kind: 'codex', source: OURS });
    for (const name of ['AWS_SECRET', 'DATABASE_URL', 'NODE_OPTIONS', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GH_TOKEN']) {
      expect(env).not.toHaveProperty(name);
    }
  });

  it('gives ANTHROPIC_API_KEY to claude but not to codex, gemini or copilot', () => {
    expect(buildAgentEnv({ kind: 'claude', source: OURS })['ANTHROPIC_API_KEY']).toBe('anthropic-key');
    for (const kind of ['codex', 'gemini', 'copilot', 'generic']) {
      expect(buildAgentEnv({ kind, source: OURS })).not.toHaveProperty('ANTHROPIC_API_KEY');
    }
    expect(buildAgentEnv({ kind: 'gemini', source: OURS })['GEMINI_API_KEY']).toBe('gemini-key');
    expect(buildAgentEnv({ kind: 'copilot', source: OURS })['GH_TOKEN']).toBe('gh-token');
  });

  it('gives a generic agent only the basics unless its config names more', () => {
    expect(Object.keys(buildAgentEnv({ kind: 'generic', source: OURS })).sort()).toEqual(['HOME', 'LANG', 'PATH']);
  });

  it('lets the config env win over our environment and the adapter defaults', () => {
    const env = buildAgentEnv({
      kind: 'claude',
      source: OURS,
      adapterDefaults: { ANTHROPIC_BASE_URL: 'http://adapter-default', DISABLE_AUTOUPDATER: '1' },
      extra: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999', ANTHROPIC_API_KEY: 'configured-key', HOME: '/tmp/agent-home' },
    });
    expect(env['ANTHROPIC_BASE_URL']).toBe('http://127.0.0.1:9999');
    expect(env['ANTHROPIC_API_KEY']).toBe('configured-key');
    expect(env['HOME']).toBe('/tmp/agent-home');
    expect(env['DISABLE_AUTOUPDATER']).toBe('1');
  });

  it('adapter defaults win over our environment', () => {
    const env = buildAgentEnv({ kind: 'codex', source: OURS, adapterDefaults: { OPENAI_API_KEY: 'default' } });
    expect(env['OPENAI_API_KEY']).toBe('default');
  });

  it('expands ${VAR} in configured values from our environment, so keys stay out of the file', () => {
    const env = buildAgentEnv({
      kind: 'generic',
      source: OURS,
      extra: { TOOL_KEY: '${MY_KEY}', URL: 'http://${HOME}/x/${MY_KEY}', MISSING: 'a${NOT_SET}b', LITERAL: '$MY_KEY and $(MY_KEY)' },
    });
    expect(env['TOOL_KEY']).toBe('mine');
    expect(env['URL']).toBe('http:///home/me/x/mine');
    expect(env['MISSING']).toBe('ab');
    expect(env['LITERAL']).toBe('$MY_KEY and $(MY_KEY)');
  });

  it('expands configured values only once (a value cannot smuggle another expansion)', () => {
    const env = buildAgentEnv({ kind: 'generic', source: { ...OURS, TRICK: '${AWS_SECRET}' }, extra: { X: '${TRICK}' } });
    expect(env['X']).toBe('${AWS_SECRET}');
  });

  it('reads process.env by default', () => {
    process.env['OPENAI_AIO_TEST'] = 'from-process';
    try {
      expect(buildAgentEnv({ kind: 'codex' })['OPENAI_AIO_TEST']).toBe('from-process');
      expect(buildAgentEnv({ kind: 'claude' })).not.toHaveProperty('OPENAI_AIO_TEST');
    } finally {
      delete process.env['OPENAI_AIO_TEST'];
    }
  });
});
