import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { checkCredentials } from './credential-check.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function fakeHome(files: Record<string, string> = {}): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'aio-creds-'));
  dirs.push(home);
  for (const [relative, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(home, relative)), { recursive: true });
    writeFileSync(path.join(home, relative), text);
  }
  return home;
}
const agent = (config: ConfigInput['agents'][string]) => configSchema.parse({ agents: { a: config } }).agents['a']!;

describe('checkCredentials (a variable set or a sign-in file present; no model call)', () => {
  it('finds nothing in an empty HOME, and names what it looked for and the fix, per CLI', () => {
    const home = fakeHome();
    expect(checkCredentials('claude', agent({ type: 'claude' }), { HOME: home })).toEqual({
      found: false,
      detail: `no ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN, CLAUDE_CODE_USE_BEDROCK or CLAUDE_CODE_USE_VERTEX set, and no sign-in in ${home}/.claude/.credentials.json`,
      fix: 'sign in once: run `claude` and type /login, or set ANTHROPIC_API_KEY in your environment or in agents.claude.env',
    });
    expect(checkCredentials('codex', agent({ type: 'codex' }), { HOME: home })).toMatchObject({
      found: false,
      detail: `no OPENAI_API_KEY or CODEX_API_KEY set, and no sign-in in ${home}/.codex/auth.json`,
      fix: 'run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env',
    });
    expect(checkCredentials('gemini', agent({ type: 'gemini' }), { HOME: home })).toMatchObject({
      found: false,
      fix: expect.stringContaining('GEMINI_API_KEY (Vertex AI: GOOGLE_API_KEY with GOOGLE_GENAI_USE_VERTEXAI=true)') as unknown,
    });
    const copilot = checkCredentials('copilot', agent({ type: 'copilot' }), { HOME: home });
    expect(copilot).toMatchObject({ found: false, fix: expect.stringContaining('/login, or set GH_TOKEN') as unknown });
    expect(copilot?.detail).toContain('cannot be seen without running copilot');
  });

  it('finds a variable in our environment or in the agent env (with ${NAME} expanded as the agent gets it)', () => {
    const home = fakeHome();
    expect(checkCredentials('claude', agent({ type: 'claude' }), { HOME: home, ANTHROPIC_API_KEY: 'sk-ant-x' })).toEqual({ found: true, detail: 'ANTHROPIC_API_KEY is set' });
    expect(checkCredentials('codex', agent({ type: 'codex', env: { CODEX_API_KEY: '${MY_KEY}' } }), { HOME: home, MY_KEY: 'k' })).toEqual({ found: true, detail: 'CODEX_API_KEY is set' });
    // Named but empty: the CLI would get an empty variable.
    expect(checkCredentials('codex', agent({ type: 'codex', env: { CODEX_API_KEY: '${MY_KEY}' } }), { HOME: home })?.found).toBe(false);
    expect(checkCredentials('copilot', agent({ type: 'copilot' }), { HOME: home, GH_TOKEN: 'ghp_x' })).toEqual({ found: true, detail: 'GH_TOKEN is set' });
  });

  it('finds the sign-in file each CLI keeps, under HOME or its own home variable', () => {
    const home = fakeHome({
      '.claude/.credentials.json': '{"claudeAiOauth":{}}',
      '.codex/auth.json': '{"tokens":{}}',
      '.copilot/config.json': '{}',
    });
    expect(checkCredentials('claude', agent({ type: 'claude' }), { HOME: home })).toEqual({ found: true, detail: `signed in (${home}/.claude/.credentials.json)` });
    expect(checkCredentials('codex', agent({ type: 'codex' }), { HOME: home })).toEqual({ found: true, detail: `signed in (${home}/.codex/auth.json)` });
    expect(checkCredentials('copilot', agent({ type: 'copilot' }), { HOME: home })?.found).toBe(true);
    const codexHome = fakeHome({ 'auth.json': '{}' });
    expect(checkCredentials('codex', agent({ type: 'codex' }), { HOME: fakeHome(), CODEX_HOME: codexHome })).toEqual({ found: true, detail: `signed in (${codexHome}/auth.json)` });
    const claudeDir = fakeHome({ '.credentials.json': '{}' });
    expect(checkCredentials('claude', agent({ type: 'claude' }), { HOME: fakeHome(), CLAUDE_CONFIG_DIR: claudeDir })?.found).toBe(true);
  });

  it("counts Gemini's settings.json only when it names the signed-in auth type", () => {
    const without = fakeHome({ '.gemini/settings.json': '{"general":{"maxAttempts":1}}' });
    expect(checkCredentials('gemini', agent({ type: 'gemini' }), { HOME: without })?.found).toBe(false);
    const signed = fakeHome({ '.gemini/settings.json': '{"security":{"auth":{"selectedType":"oauth-personal"}}}' });
    expect(checkCredentials('gemini', agent({ type: 'gemini' }), { HOME: signed })).toEqual({ found: true, detail: `signed in (${signed}/.gemini/settings.json)` });
    expect(checkCredentials('gemini', agent({ type: 'gemini' }), { HOME: without, GEMINI_API_KEY: 'k' })?.found).toBe(true);
  });

  it('checks the api_key_env of an HTTP agent, and nothing for agents that need no credentials', () => {
    const http = agent({ type: 'openai-compatible', endpoint: 'http://127.0.0.1:9/v1', api_key_env: 'LOCAL_KEY' });
    expect(checkCredentials('lm', http, {})).toEqual({
      found: false,
      detail: 'LOCAL_KEY (api_key_env) is not set: every call will fail',
      fix: "set LOCAL_KEY to the server's API key (agents.lm.api_key_env names that variable)",
    });
    expect(checkCredentials('lm', http, { LOCAL_KEY: 'k' })).toEqual({ found: true, detail: 'LOCAL_KEY is set' });
    expect(checkCredentials('local', agent({ type: 'ollama', model: 'm' }), {})).toBeUndefined();
    expect(checkCredentials('tool', agent({ type: 'generic', command: '/bin/true' }), {})).toBeUndefined();
  });
});
