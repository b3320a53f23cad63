/**
 * Issue 3 acceptance with the real coding CLIs: `ai-orchestrator test-agent <cli> "create
 * hello.txt" --json` drives claude, codex, gemini and copilot (node_modules/.bin) against the
 * project's fake provider on 127.0.0.1. Each must write the file through a scripted tool call and
 * return the scripted answer with tokens counted; provider errors come back as the right kind.
 * Cases run concurrently (each with its own provider and HOME dirs): the CLIs mostly wait.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPortUrl, startFakeProvider, writeFileThenAnswer, type FakeProvider, type Reply } from '../fake-provider/index.js';
import { REAL_CLIS, realCliSetup, testAgent } from '../helpers/real-clis.js';

const ANSWER = 'done: wrote hello.txt';
/**
 * Copilot retries on its own with no knob to stop it: 5 retries (~5 s with `retry-after: 0`) for
 * 401/429/500 and ~24 s of backoff for a refused connection. Budget for that on a busy 2-core box.
 */
const TIMEOUT = 120_000;
const CONTENT = 'hello from fake model\n';
const providers: FakeProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

async function provider(script: Parameters<typeof startFakeProvider>[0] = {}): Promise<FakeProvider> {
  const started = await startFakeProvider(script);
  providers.push(started);
  return started;
}

/** Errors answer with `retry-after: 0`, so CLIs that retry on their own (Copilot) do it quickly. */
const failing = (status: number): Reply => ({ type: 'error', status, message: `fake ${status}`, retryAfterSeconds: 0 });

describe.concurrent.each(REAL_CLIS)('real %s through test-agent', (cli) => {
  it('writes hello.txt through a scripted tool call and returns the scripted answer with tokens', async () => {
    const fake = await provider();
    const setup = realCliSetup(fake.url);
    fake.setScript(writeFileThenAnswer({ file: path.join(setup.work, 'hello.txt'), content: CONTENT, answer: ANSWER }));
    const { json, code, stderr } = await testAgent(setup, cli, 'create hello.txt');
    expect(json, stderr.slice(-2000)).toMatchObject({ agent: cli, success: true, output: ANSWER, error: null });
    expect(code).toBe(0);
    expect(readFileSync(path.join(setup.work, 'hello.txt'), 'utf8').trim()).toBe(CONTENT.trim());
    expect(json.files_modified).toContain('hello.txt');
    expect(json.usage.input_tokens).toBeGreaterThan(0);
    expect(json.usage.output_tokens).toBeGreaterThan(0);
    // The prompt reached the model through the CLI (it went in on stdin).
    expect(fake.requests.some((r) => r.userText.includes('create hello.txt'))).toBe(true);
  }, TIMEOUT);

  it('accepts its bypass-permissions mode when the config allows it (claude as root via IS_SANDBOX)', async () => {
    const fake = await provider();
    const setup = realCliSetup(fake.url, { [cli]: { allow_bypass_permissions: true } });
    fake.setScript(writeFileThenAnswer({ file: path.join(setup.work, 'hello.txt'), content: CONTENT, answer: ANSWER }));
    const { json, stderr } = await testAgent(setup, cli, 'create hello.txt');
    expect(json, stderr.slice(-2000)).toMatchObject({ success: true, output: ANSWER });
    expect(existsSync(path.join(setup.work, 'hello.txt'))).toBe(true);
  }, TIMEOUT);

  it.each([
    [401, 'auth'],
    [429, 'rate_limit'],
    [500, 'server'],
  ])('maps a provider %i to %s', async (status, kind) => {
    const fake = await provider({ script: () => failing(status) });
    const setup = realCliSetup(fake.url);
    const { json, code } = await testAgent(setup, cli, 'say hi');
    expect(json.success).toBe(false);
    expect(json.error?.kind, json.error?.message).toBe(kind);
    expect(code).toBe(1);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(existsSync(path.join(setup.work, 'hello.txt'))).toBe(false);
  }, TIMEOUT);

  it('maps a refused connection to network', async () => {
    const setup = realCliSetup(await closedPortUrl());
    const { json, code } = await testAgent(setup, cli, 'say hi');
    expect(json.error?.kind, json.error?.message).toBe('network');
    expect(code).toBe(1);
  }, TIMEOUT);

  it('maps a missing binary to not_installed without contacting the provider', async () => {
    const fake = await provider();
    const setup = realCliSetup(fake.url, { [cli]: { command: `/nonexistent/bin/no-such-${cli}` } });
    const { json, code } = await testAgent(setup, cli, 'say hi');
    expect(json.error?.kind).toBe('not_installed');
    expect(code).toBe(1);
    expect(fake.hits).toEqual([]);
  });
});
