import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { startFakeOllama, type FakeOllama } from '../../../test/fake-local/fake-ollama.js';
import type { ChatScript } from '../../../test/fake-local/server.js';
import { runAgent } from '../run-agent.js';
import type { AgentEvent } from '../spec.js';
import { createOllamaAdapter, createOllamaChatDecoder } from './index.js';

let server: FakeOllama | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function adapterFor(url: string, extra: Record<string, unknown> = {}, applyLocalEdits = false) {
  const agent = agentSchema.parse({ type: 'ollama', endpoint: url, model: 'mistral:7b-instruct', ...extra });
  return createOllamaAdapter({ name: 'local-instruct', agent, applyLocalEdits });
}

const cwd = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-ollama-'));

async function start(script?: ChatScript): Promise<FakeOllama> {
  server = await startFakeOllama(script ? { script } : {});
  return server;
}

describe('ollama adapter', () => {
  it('streams /api/chat deltas as text-delta events and reports token counts', async () => {
    const fake = await start(() => ({ type: 'text', chunks: ['Hel', 'lo'], usage: { input: 26, output: 259 } }));
    const events: AgentEvent[] = [];
    const result = await runAgent(
      adapterFor(fake.url, { keep_alive: '10m', options: { temperature: 0.2 } }),
      { prompt: 'Say hello', role: 'review', cwd: cwd() },
      { onEvent: (e) => events.push(e) },
    );
    expect(result).toMatchObject({ success: true, output: 'Hello', usage: { inputTokens: 26, outputTokens: 259 } });
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text)).toEqual(['Hel', 'lo']);
    const body = fake.requests.find((r) => r.path === '/api/chat')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'mistral:7b-instruct', stream: true, keep_alive: '10m', options: { temperature: 0.2 } });
    expect(body['messages']).toEqual([{ role: 'user', content: 'Say hello' }]);
  });

  it('reports a missing model as not_installed with the pull command', async () => {
    const fake = await start();
    const agent = agentSchema.parse({ type: 'ollama', endpoint: fake.url, model: 'codellama:13b' });
    const result = await runAgent(createOllamaAdapter({ name: 'local-code', agent }), { prompt: 'x', role: 'review', cwd: cwd() });
    expect(result.success).toBe(false);
    expect(result.error).toEqual({
      kind: 'not_installed',
      message: "model 'codellama:13b' not found, try `ai-orchestrator models pull codellama:13b`",
    });
  });

  it('maps a 500 to server and a refused connection to network', async () => {
    const fake = await start(() => ({ type: 'error', status: 500, body: { error: 'llama runner process has terminated' } }));
    const failed = await runAgent(adapterFor(fake.url), { prompt: 'x', role: 'review', cwd: cwd() });
    expect(failed.error?.kind).toBe('server');
    expect(failed.error?.message).toContain('llama runner process has terminated');
    const url = fake.url;
    await fake.close();
    server = undefined;
    const refused = await runAgent(adapterFor(url), { prompt: 'x', role: 'review', cwd: cwd() });
    expect(refused.error).toMatchObject({ kind: 'network' });
    expect(refused.error?.message).toContain('connection refused');
  });

  it('fails with kind network, not success, when the server dies mid-stream', async () => {
    const fake = await start(() => ({ type: 'cut', chunks: ['Half an ', 'answer'] }));
    const result = await runAgent(adapterFor(fake.url), { prompt: 'x', role: 'review', cwd: cwd() });
    expect(result.success).toBe(false);
    expect(result.error?.kind).toBe('network');
  });

  it('fails when the NDJSON ends without done:true', async () => {
    const fake = await start(() => ({ type: 'truncated', chunks: ['Half an ', 'answer'] }));
    const result = await runAgent(adapterFor(fake.url), { prompt: 'x', role: 'review', cwd: cwd() });
    expect(result.success).toBe(false);
    expect(result.error?.kind).toBe('network');
    expect(result.error?.message).toMatch(/stream ended before the model finished/);
  });

  it('reports a line that is not JSON as bad_output', async () => {
    const fake = await start(() => ({ type: 'malformed' }));
    const result = await runAgent(adapterFor(fake.url), { prompt: 'x', role: 'review', cwd: cwd() });
    expect(result.error?.kind).toBe('bad_output');
  });

  it('waits for a slow first byte within the timeout', async () => {
    const fake = await start(() => ({ type: 'text', chunks: ['late ', 'but fine'], firstByteDelayMs: 1500 }));
    const result = await runAgent(adapterFor(fake.url), { prompt: 'x', role: 'review', cwd: cwd() }, { timeoutMs: 30_000 });
    expect(result).toMatchObject({ success: true, output: 'late but fine' });
  });

  it('times out a server that never answers, with kind timeout', async () => {
    const fake = await start(() => ({ type: 'hang' }));
    const result = await runAgent(adapterFor(fake.url), { prompt: 'x', role: 'review', cwd: cwd() }, { timeoutMs: 500 });
    expect(result.error).toEqual({ kind: 'timeout', message: 'timed out after 0.5 s' });
  });

  it('cancels the request when the signal aborts', async () => {
    const fake = await start(() => ({ type: 'hang' }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runAgent(adapterFor(fake.url), { prompt: 'x', role: 'review', cwd: cwd() }, { signal: controller.signal });
    expect(result.error?.kind).toBe('cancelled');
  });

  it('lists fenced files as proposed changes in edit roles without writing them by default', async () => {
    const answer = 'Here it is.\n```ts path=src/add.ts\nexport const add = (a: number, b: number) => a + b;\n```\n';
    const fake = await start(() => ({ type: 'text', chunks: [answer] }));
    const dir = cwd();
    const result = await runAgent(adapterFor(fake.url), { prompt: 'add', role: 'implement', cwd: dir });
    expect(result.success).toBe(true);
    expect(result.proposedChanges).toEqual([
      { path: 'src/add.ts', content: 'export const add = (a: number, b: number) => a + b;\n', applied: false },
    ]);
    expect(existsSync(path.join(dir, 'src/add.ts'))).toBe(false);
    expect(result.filesModified).toEqual([]);
    const system = (fake.requests[0]?.body as { messages: { role: string; content: string }[] }).messages[0];
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('path=');
  });

  it('writes proposed changes inside the cwd with apply_local_edits and refuses paths outside it', async () => {
    const answer = [
      'File: src/add.ts',
      '```ts',
      'export const add = 1;',
      '```',
      '```js path=../escape.js',
      'bad();',
      '```',
    ].join('\n');
    const fake = await start(() => ({ type: 'text', chunks: [answer] }));
    const dir = cwd();
    const result = await runAgent(adapterFor(fake.url, {}, true), { prompt: 'add', role: 'refine', cwd: dir });
    expect(result.success).toBe(true);
    expect(readFileSync(path.join(dir, 'src/add.ts'), 'utf8')).toBe('export const add = 1;\n');
    expect(existsSync(path.join(dir, '../escape.js'))).toBe(false);
    expect(result.filesModified).toEqual(['src/add.ts']);
    expect(result.proposedChanges).toEqual([
      { path: 'src/add.ts', content: 'export const add = 1;\n', applied: true },
      expect.objectContaining({ path: '../escape.js', applied: false, note: expect.stringContaining('leaves the working directory') }),
    ]);
  });

  it('is available when /api/version answers and unavailable when the port is closed', async () => {
    const fake = await start();
    expect(await adapterFor(fake.url).checkAvailable()).toMatchObject({ available: true });
    const url = fake.url;
    await fake.close();
    server = undefined;
    expect(await adapterFor(url).checkAvailable()).toMatchObject({ available: false });
  });

  it('decodes an error line sent after a 200 (runner crash) as server, and a model error as not_installed', () => {
    const decoder = createOllamaChatDecoder('llama3');
    expect(decoder.frame('{"error":"llama runner process has terminated: signal: killed"}').error).toMatchObject({ kind: 'server' });
    expect(decoder.frame('{"error":"model \'llama3\' not found"}').error).toMatchObject({ kind: 'not_installed' });
    expect(decoder.frame('{"message":{"role":"assistant","content":"x"},"done":false}')).toEqual({ events: [{ type: 'text-delta', text: 'x' }] });
  });
});
