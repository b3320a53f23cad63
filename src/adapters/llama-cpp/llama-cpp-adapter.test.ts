import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { startFakeLlamaServer, type FakeLlamaServer, type FakeLlamaServerOptions } from '../../../test/fake-local/fake-llama-server.js';
import { runAgent } from '../run-agent.js';
import type { AgentEvent } from '../spec.js';
import { createLlamaCppAdapter } from './index.js';

let server: FakeLlamaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: FakeLlamaServerOptions = {}): Promise<FakeLlamaServer> {
  server = await startFakeLlamaServer(options);
  return server;
}

const request = () => ({ prompt: 'Explain quicksort', role: 'review' as const, cwd: mkdtempSync(path.join(os.tmpdir(), 'aio-llama-')) });

function adapter(url: string, extra: Record<string, unknown> = {}) {
  return createLlamaCppAdapter({ name: 'local-large', agent: agentSchema.parse({ type: 'llamacpp', endpoint: url, ...extra }) });
}

describe('llama-server adapter', () => {
  it('streams /v1/chat/completions until [DONE] and takes usage from timings', async () => {
    const fake = await start({ script: () => ({ type: 'text', chunks: ['Pick ', 'a pivot.'], usage: { input: 14, output: 6 } }) });
    const events: AgentEvent[] = [];
    const result = await runAgent(adapter(fake.url, { options: { temperature: 0.1 } }), request(), { onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ success: true, output: 'Pick a pivot.', usage: { inputTokens: 14, outputTokens: 6 } });
    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(2);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v1/chat/completions', body: { stream: true, temperature: 0.1 } });
  });

  it('uses the native /completion stream (no [DONE], ends at stop:true) with api: completion', async () => {
    const fake = await start({ script: () => ({ type: 'text', chunks: ['Divide ', 'and conquer.'], usage: { input: 9, output: 4 } }) });
    const result = await runAgent(adapter(fake.url, { api: 'completion' }), request());
    expect(result).toMatchObject({ success: true, output: 'Divide and conquer.', usage: { inputTokens: 9, outputTokens: 4 } });
    const sent = fake.requests.at(-1);
    expect(sent?.path).toBe('/completion');
    expect((sent?.body as { prompt: string }).prompt).toContain('Explain quicksort');
  });

  it('fails a /completion stream that ends without stop:true, and a chat stream without [DONE]', async () => {
    const fake = await start({ script: () => ({ type: 'truncated', chunks: ['half'] }) });
    for (const api of ['completion', 'chat']) {
      const result = await runAgent(adapter(fake.url, { api }), request());
      expect(result.success).toBe(false);
      expect(result.error?.kind).toBe('network');
    }
  });

  it('fails with kind network when the server dies mid-stream', async () => {
    const fake = await start({ script: () => ({ type: 'cut', chunks: ['Quick', 'sort'] }) });
    const result = await runAgent(adapter(fake.url), request());
    expect(result).toMatchObject({ success: false, error: { kind: 'network' } });
  });

  it('reports 503 "Loading model" as a transient server failure, then works once loaded', async () => {
    const fake = await start({ loading: true });
    const loading = await runAgent(adapter(fake.url), request());
    expect(loading.error?.kind).toBe('server');
    expect(loading.error?.message).toContain('Loading model');
    expect(await adapter(fake.url).checkAvailable()).toMatchObject({ available: false });
    fake.finishLoading();
    expect(await adapter(fake.url).checkAvailable()).toMatchObject({ available: true });
    expect((await runAgent(adapter(fake.url), request())).success).toBe(true);
  });

  it('accepts an endpoint written with /v1', async () => {
    const fake = await start();
    expect((await runAgent(adapter(`${fake.url}/v1`), request())).success).toBe(true);
  });
});
