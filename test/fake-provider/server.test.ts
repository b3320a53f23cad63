import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPortUrl, failWith, replyQueue, startFakeProvider, writeFileThenAnswer, type FakeProvider } from './index.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function post(path: string, body: unknown): Promise<{ status: number; events: EventSourceMessage[]; json: unknown }> {
  const response = await fetch(`${provider!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, events, json };
}

const script = writeFileThenAnswer({ file: '/tmp/x/hello.txt', content: 'hi\n', answer: 'done' });

describe('fake provider', () => {
  it('speaks Anthropic Messages SSE: a Write tool call first, the answer after the tool result', async () => {
    provider = await startFakeProvider({ script });
    const first = await post('/v1/messages?beta=true', { model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] });
    expect(first.events.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    expect(first.events[2]?.data).toContain('hello.txt');
    const second = await post('/v1/messages', {
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] }],
    });
    expect(second.events.some((e) => e.data.includes('"text":"done"'))).toBe(true);
    expect(provider.requests.map((r) => [r.api, r.toolResults, r.userText])).toEqual([
      ['anthropic', 0, 'go'],
      ['anthropic', 1, ''],
    ]);
  });

  it('speaks OpenAI Responses with apply_patch and usage in response.completed', async () => {
    provider = await startFakeProvider({ script });
    const { events } = await post('/v1/responses', { model: 'gpt', input: [{ role: 'user', content: [{ type: 'input_text', text: 'go' }] }] });
    const completed = JSON.parse(events.at(-1)!.data) as { type: string; response: { usage: { input_tokens: number }; output: { name: string; input: string }[] } };
    expect(completed.type).toBe('response.completed');
    expect(completed.response.usage.input_tokens).toBeGreaterThan(0);
    expect(completed.response.output[0]).toMatchObject({ name: 'apply_patch' });
    expect(completed.response.output[0]?.input).toContain('*** Add File: /tmp/x/hello.txt\n+hi\n');
  });

  it('speaks Chat Completions SSE ending in [DONE], with a usage chunk', async () => {
    provider = await startFakeProvider({ script });
    const { events } = await post('/v1/chat/completions', { model: 'g', stream: true, messages: [{ role: 'user', content: 'go' }] });
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(events.some((e) => e.data.includes('"name":"create"'))).toBe(true);
    expect(events.some((e) => e.data.includes('"prompt_tokens":10'))).toBe(true);
  });

  it('speaks Gemini streamGenerateContent and answers JSON side calls from their schema', async () => {
    provider = await startFakeProvider({ script });
    const stream = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { contents: [{ role: 'user', parts: [{ text: 'go' }] }] });
    expect(stream.events[0]?.data).toContain('"write_file"');
    expect(provider.requests[0]?.model).toBe('gemini-2.5-flash');
    const side = await post('/v1beta/models/flash-lite:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'classify' }] }],
      generationConfig: {
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', properties: { complexity_reasoning: { type: 'string' }, complexity_score: { type: 'integer', minimum: 1 } } },
      },
    });
    const text = (side.json as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]!.content.parts[0]!.text;
    expect(JSON.parse(text)).toEqual({ complexity_reasoning: 'simple', complexity_score: 1 });
    expect(provider.requests[1]?.sideCall).toBe(true);
  });

  it('answers scripted errors with each provider\'s error body', async () => {
    provider = await startFakeProvider({ script: failWith(401) });
    const anthropic = await post('/v1/messages', { messages: [] });
    expect(anthropic.status).toBe(401);
    expect(anthropic.json).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'fake 401' } });
    const gemini = await post('/v1beta/models/m:generateContent', { contents: [] });
    expect(gemini.json).toEqual({ error: { code: 401, message: 'fake 401', status: 'UNAUTHENTICATED' } });
    const openai = await post('/v1/responses', { input: [] });
    expect(openai.json).toMatchObject({ error: { message: 'fake 401', code: 'invalid_api_key' } });
  });

  it('replays a queue of replies one per task turn (a reviewer converging)', async () => {
    provider = await startFakeProvider({
      script: replyQueue([
        { type: 'text', text: '1. a\n2. b\n3. c\n4. d\n5. e' },
        { type: 'text', text: '1. only one left' },
      ]),
    });
    const body = { stream: false, messages: [{ role: 'user', content: 'review' }] };
    const texts = [];
    for (let i = 0; i < 3; i++) {
      const { json } = await post('/v1/chat/completions', body);
      texts.push((json as { choices: { message: { content: string } }[] }).choices[0]!.message.content);
    }
    expect(texts).toEqual(['1. a\n2. b\n3. c\n4. d\n5. e', '1. only one left', '1. only one left']);
  });

  it('gives a URL where connections are refused', async () => {
    const url = await closedPortUrl();
    await expect(fetch(`${url}/v1/messages`)).rejects.toThrow();
  });
});
