/** `test-agent local-code "Explain quicksort"` against the fake Ollama, as a user runs it. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { startFakeOllama } from '../fake-local/fake-ollama.js';
import type { FakeServer } from '../fake-local/server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function setup(url: string): { config: string; cwd: string; env: Record<string, string> } {
  const dir = tempDir('aio-local-test-agent-');
  const config = path.join(dir, 'agents.yaml');
  writeFileSync(
    config,
    `agents:
  local-code:
    type: ollama
    endpoint: ${url}
    model: codellama:13b
    enabled: true
    keep_alive: 5m
`,
  );
  return { config, cwd: dir, env: { AI_ORCHESTRATOR_HOME: path.join(dir, 'home') } };
}

describe('test-agent with a local model', () => {
  it('answers "Explain quicksort" through Ollama /api/chat, streaming, with token counts', async () => {
    const fake = await startFakeOllama({
      models: ['codellama:13b'],
      script: () => ({ type: 'text', chunks: ['Quicksort picks a pivot, ', 'partitions, and recurses.'], usage: { input: 26, output: 259 } }),
    });
    servers.push(fake);
    const { config, cwd, env } = setup(fake.url);
    const text = await runCli(['test-agent', 'local-code', 'Explain quicksort', '--config', config], { cwd, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe('Quicksort picks a pivot, partitions, and recurses.\n');
    const json = await runCli(['test-agent', 'local-code', 'Explain quicksort', '--json', '--config', config], { cwd, env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      agent: 'local-code',
      success: true,
      output: 'Quicksort picks a pivot, partitions, and recurses.',
      usage: { input_tokens: 26, output_tokens: 259 },
    });
    const chat = fake.requests.find((r) => r.path === '/api/chat');
    expect(chat?.body).toMatchObject({ model: 'codellama:13b', stream: true, keep_alive: '5m' });
    expect(chat?.userText).toBe('Explain quicksort');
  });

  it('says how to pull a model that is not installed, and exits non-zero', async () => {
    const fake = await startFakeOllama({ models: ['mistral:7b-instruct'] });
    servers.push(fake);
    const { config, cwd, env } = setup(fake.url);
    const result = await runCli(['test-agent', 'local-code', 'Explain quicksort', '--config', config], { cwd, env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("model 'codellama:13b' not found, try `ai-orchestrator models pull codellama:13b`");
  });
});
