/**
 * An auth failure names the fix for that agent: each coding CLI's fixture rejected with a 401,
 * and an OpenAI-compatible server on a loopback port refusing the key — through the registry,
 * as the engine builds adapters.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import { adapterFromYaml } from '../../test/helpers/fake-cli.js';
import { startFakeOpenAICompatible } from '../../test/fake-local/fake-openai-compatible.js';
import { startFakeOllama } from '../../test/fake-local/fake-ollama.js';
import type { FakeServer } from '../../test/fake-local/server.js';
import { runAgent } from './run-agent.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const cwd = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-fix-'));
const fixture = (cli: string): string => path.join(REPO_ROOT, `test/fixtures/bin/fake-${cli}.mjs`);

describe('failure fixes', () => {
  it.each([
    ['claude', 'sign in once: run `claude` and type /login, or set ANTHROPIC_API_KEY in your environment or in agents.claude.env'],
    ['codex', 'run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env'],
    ['gemini', expect.stringMatching(/^sign in once: run `gemini`.*, or set GEMINI_API_KEY \(Vertex AI: GOOGLE_API_KEY with GOOGLE_GENAI_USE_VERTEXAI=true\) in your environment or in agents\.gemini\.env$/)],
    ['copilot', 'sign in once: run `copilot` and type /login, or set GH_TOKEN (a token with the "Copilot Requests" permission) in your environment or in agents.copilot.env'],
  ])('a %s auth failure says how to sign in or which variable to set', async (cli, fix) => {
    const adapter = adapterFromYaml({ type: cli, command: fixture(cli), env: { FAKE_SCENARIO: 'api-401' }, timeout: 30 }, cli);
    const result = await runAgent(adapter, { prompt: 'x', role: 'implement', cwd: cwd() });
    expect(result.error).toMatchObject({ kind: 'auth', fix });
  });

  it('an HTTP server refusing the key names the api_key_env variable; a missing variable fails before any call', async () => {
    const server = await startFakeOpenAICompatible({ apiKey: 'right-key' });
    servers.push(server);
    process.env['AIO_TEST_WRONG_KEY'] = 'wrong-key';
    try {
      const refused = adapterFromYaml({ type: 'openai-compatible', endpoint: `${server.url}/v1`, model: 'm', api_key_env: 'AIO_TEST_WRONG_KEY' }, 'lm');
      const result = await runAgent(refused, { prompt: 'x', role: 'review', cwd: cwd() });
      expect(result.error).toMatchObject({ kind: 'auth', fix: "set AIO_TEST_WRONG_KEY to the server's API key (agents.lm.api_key_env names that variable)" });
    } finally {
      delete process.env['AIO_TEST_WRONG_KEY'];
    }
    const unset = adapterFromYaml({ type: 'openai-compatible', endpoint: `${server.url}/v1`, model: 'm', api_key_env: 'AIO_TEST_UNSET_KEY' }, 'lm');
    expect((await runAgent(unset, { prompt: 'x', role: 'review', cwd: cwd() })).error).toMatchObject({
      kind: 'auth',
      message: 'agent "lm": environment variable AIO_TEST_UNSET_KEY (api_key_env) is not set',
      fix: "set AIO_TEST_UNSET_KEY to the server's API key (agents.lm.api_key_env names that variable)",
    });
  });

  it('a local server that is down says it is not reachable and how to start it', async () => {
    const ollama = await startFakeOllama();
    const url = ollama.url;
    await ollama.close();
    const adapter = adapterFromYaml({ type: 'ollama', endpoint: url, model: 'codellama:13b' }, 'local');
    const result = await runAgent(adapter, { prompt: 'x', role: 'review', cwd: cwd() });
    expect(result.error).toEqual({ kind: 'network', message: `Ollama at ${url} is not reachable (connection refused)`, fix: 'start it: `ollama serve`' });
  });

  it('a missing CLI names its npm package', async () => {
    const adapter = adapterFromYaml({ type: 'codex', command: '/nonexistent/codex' }, 'codex');
    const result = await runAgent(adapter, { prompt: 'x', role: 'implement', cwd: cwd() });
    expect(result.error).toMatchObject({ kind: 'not_installed', fix: 'install it: npm install -g @openai/codex (or set agents.codex.command to where /nonexistent/codex lives)' });
  });
});
