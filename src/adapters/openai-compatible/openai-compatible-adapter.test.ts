import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { startFakeOpenAICompatible, type FakeOpenAICompatibleOptions } from '../../../test/fake-local/fake-openai-compatible.js';
import type { FakeServer } from '../../../test/fake-local/server.js';
import { runAgent } from '../run-agent.js';
import { createOpenAICompatibleAdapter } from './index.js';

let server: FakeServer | undefined;
const KEY_ENV = 'AIO_TEST_LMSTUDIO_KEY';
afterEach(async () => {
  await server?.close();
  server = undefined;
  delete process.env[KEY_ENV];
});

async function start(options: FakeOpenAICompatibleOptions = {}): Promise<FakeServer> {
  server = await startFakeOpenAICompatible(options);
  return server;
}

const request = () => ({ prompt: 'Explain quicksort', role: 'review' as const, cwd: mkdtempSync(path.join(os.tmpdir(), 'aio-oai-')) });

function adapter(url: string, extra: Record<string, unknown> = {}) {
  const agent = agentSchema.parse({ type: 'openai-compatible', endpoint: `${url}/v1`, model: 'lmstudio-community/qwen2.5-7b-instruct', ...extra });
  return createOpenAICompatibleAdapter({ name: 'lmstudio', agent });
}

describe('openai-compatible adapter', () => {
  it('streams chat chunks until [DONE] and reads the usage chunk', async () => {
    const fake = await start({ script: () => ({ type: 'text', chunks: ['a', 'b', 'c'], usage: { input: 30, output: 3 } }) });
    const result = await runAgent(adapter(fake.url), request());
    expect(result).toMatchObject({ success: true, output: 'abc', usage: { inputTokens: 30, outputTokens: 3 } });
    expect(fake.requests.at(-1)?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('sends the API key from the env var named by api_key_env, and maps 401 to auth', async () => {
    const fake = await start({ apiKey: 'sk-local-test-123456' });
    process.env[KEY_ENV] = 'sk-local-test-123456';
    expect((await runAgent(adapter(fake.url, { api_key_env: KEY_ENV }), request())).success).toBe(true);
    process.env[KEY_ENV] = 'wrong-key-value';
    const rejected = await runAgent(adapter(fake.url, { api_key_env: KEY_ENV }), request());
    expect(rejected.error).toMatchObject({ kind: 'auth' });
    expect(rejected.error?.message).toContain('401');
    expect(rejected.error?.message).not.toContain('wrong-key-value');
    delete process.env[KEY_ENV];
    const unset = await runAgent(adapter(fake.url, { api_key_env: KEY_ENV }), request());
    expect(unset.error).toMatchObject({ kind: 'auth', message: expect.stringContaining(`${KEY_ENV} (api_key_env) is not set`) });
  });

  it('maps 429 to rate_limit and passes the server\'s Retry-After on to resilience', async () => {
    const fake = await start({
      script: () => ({ type: 'error', status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '7' } }),
    });
    const result = await runAgent(adapter(fake.url), request());
    expect(result.error).toMatchObject({ kind: 'rate_limit', retryAfterSeconds: 7 });
  });

  it('reports an unknown model as not_installed', async () => {
    const fake = await start();
    const result = await runAgent(adapter(fake.url, { model: 'no-such-model' }), request());
    expect(result.error).toMatchObject({ kind: 'not_installed', message: expect.stringContaining("model 'no-such-model' not found") });
  });

  it('maps 500 to server and a cut-off stream to network', async () => {
    const failing = await start({ script: () => ({ type: 'error', status: 500, body: { error: { message: 'CUDA out of memory' } } }) });
    expect((await runAgent(adapter(failing.url), request())).error).toMatchObject({ kind: 'server' });
    await failing.close();
    const cut = await start({ script: () => ({ type: 'cut', chunks: ['par', 'tial'] }) });
    const result = await runAgent(adapter(cut.url), request());
    expect(result).toMatchObject({ success: false, error: { kind: 'network' } });
  });
});
