import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryManager } from '../memory-manager.js';
import { createOllamaEmbedding, createOpenAiEmbedding } from './http-embedding.js';

/** A loopback server that embeds by counting letters a–h (deterministic, meaning-free). */
function letterVector(text: string): number[] {
  return [...'abcdefgh'].map((c) => text.toLowerCase().split(c).length - 1 + 0.01);
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function readBody(request: IncomingMessage): Promise<{ model?: string; input?: string[]; dimensions?: number }> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return JSON.parse(text) as { model?: string; input?: string[] };
}

async function listen(handler: (path: string, body: { model?: string; input?: string[] }, auth: string | undefined) => { status: number; body: unknown }): Promise<string> {
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const answer = handler(request.url ?? '', body, request.headers.authorization);
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('HTTP embedding providers', () => {
  it('Ollama /api/embed: batches texts, normalises vectors, powers semantic search', async () => {
    const seen: { path: string; model?: string; count: number }[] = [];
    const url = await listen((path, body) => {
      seen.push({ path, model: body.model, count: body.input?.length ?? 0 });
      return { status: 200, body: { model: body.model, embeddings: (body.input ?? []).map(letterVector) } };
    });
    const provider = createOllamaEmbedding({ model: 'nomic-embed-text', endpoint: url });
    const [vector] = await provider.embed(['abc']);
    expect(vector?.length).toBe(8);
    expect(Math.hypot(...(vector ?? []))).toBeCloseTo(1, 5);
    const memory = await MemoryManager.open({ dbPath: ':memory:', embedding: { provider: 'ollama', model: 'nomic-embed-text', endpoint: url } });
    await memory.addNodes([
      { type: 'concept', title: 'aaaa', content: 'aaaa aaaa' },
      { type: 'concept', title: 'hhhh', content: 'hhhh hhhh' },
    ]);
    expect(memory.getStats().vectorsByProvider).toEqual({ 'ollama:nomic-embed-text': 2 });
    expect((await memory.search('aaa', { mode: 'semantic' }))[0]?.node.title).toBe('aaaa');
    expect(seen.every((s) => s.path === '/api/embed' && s.model === 'nomic-embed-text')).toBe(true);
    memory.close();
  });

  it('OpenAI-compatible /v1/embeddings: sends the key, reorders by index, reports errors in one line', async () => {
    const url = await listen((path, body, auth) => {
      if (auth !== 'Bearer sk-test') return { status: 401, body: { error: { message: 'bad key' } } };
      const data = (body.input ?? []).map((text, index) => ({ object: 'embedding', index, embedding: letterVector(text) })).reverse();
      return { status: path === '/v1/embeddings' ? 200 : 404, body: { object: 'list', data } };
    });
    const provider = createOpenAiEmbedding({ model: 'text-embedding-3-small', endpoint: `${url}/v1`, apiKey: 'sk-test' });
    const [a, h] = await provider.embed(['aaaa', 'hhhh']);
    expect(a?.[0]).toBeGreaterThan(0.9);
    expect(h?.[7]).toBeGreaterThan(0.9);
    const wrongKey = createOpenAiEmbedding({ model: 'm', endpoint: `${url}/v1`, apiKey: 'nope' });
    await expect(wrongKey.embed(['x'])).rejects.toThrow(/answered 401/);
  });

  it('keeps nodes when the embedding server is down, and embeds them later', async () => {
    const warnings: string[] = [];
    const memory = await MemoryManager.open({
      dbPath: ':memory:',
      embedding: { provider: 'ollama', model: 'm', endpoint: 'http://127.0.0.1:9', timeoutMs: 2_000 },
      onWarning: (w) => warnings.push(w),
    });
    await memory.addNode({ type: 'concept', title: 'kept anyway', content: 'still searchable by keyword' });
    expect(warnings[0]).toMatch(/stored without vectors/);
    expect((await memory.search('searchable', { mode: 'keyword' }))[0]?.node.title).toBe('kept anyway');
    memory.close();
  });
});
