import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir } from '../helpers/cli.js';
import { startFakeLlamaServer } from '../fake-local/fake-llama-server.js';
import { startFakeOllama } from '../fake-local/fake-ollama.js';
import type { FakeServer } from '../fake-local/server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function writeConfig(agents: string): { config: string; env: Record<string, string> } {
  const dir = tempDir('aio-models-');
  const config = path.join(dir, 'agents.yaml');
  writeFileSync(config, `agents:\n${agents}\n`);
  return { config, env: { AI_ORCHESTRATOR_HOME: path.join(dir, 'home') } };
}

const ollamaAgents = (url: string, enabled = true): string => `
  local-code:
    type: ollama
    endpoint: ${url}
    model: codellama:13b
    enabled: ${enabled}
  local-instruct:
    type: ollama
    endpoint: ${url}
    model: mistral:7b-instruct
    enabled: ${enabled}`;

describe('models commands against a fake Ollama', () => {
  it('status --json shows the backend online with its models and the agents using it (once per URL)', async () => {
    const ollama = await startFakeOllama({ models: ['mistral:7b-instruct', 'llama3:latest'] });
    servers.push(ollama);
    const { config, env } = writeConfig(ollamaAgents(ollama.url));
    const result = await runCli(['models', 'status', '--json', '--config', config], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { backends: unknown[] };
    expect(parsed.backends).toEqual([
      {
        backend: 'ollama',
        url: ollama.url,
        online: true,
        loading: false,
        version: '0.13.5',
        models: ['mistral:7b-instruct', 'llama3:latest'],
        agents: ['local-code', 'local-instruct'],
        enabledAgents: ['local-code', 'local-instruct'],
        // local-code asks for a model this Ollama has not pulled.
        missingModels: [{ model: 'codellama:13b', agents: ['local-code'], fix: '`ollama pull codellama:13b` (or `ai-orchestrator models pull codellama:13b`)' }],
      },
    ]);
    const table = await runCli(['models', 'status', '--config', config], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Ollama\s+http:\/\/127\.0\.0\.1:\d+\s+yes\s+2\s+local-code, local-instruct/);
    expect(table.stdout).toContain(`codellama:13b (local-code) is not pulled into Ollama at ${ollama.url}: \`ollama pull codellama:13b\``);
    expect(table.stdout).not.toContain('mistral:7b-instruct (local-instruct) is not pulled');
  });

  it('status flags no model once it is pulled, and takes a model without a tag as :latest', async () => {
    const ollama = await startFakeOllama({ models: ['mistral:7b-instruct', 'codellama:13b', 'llama3:latest'] });
    servers.push(ollama);
    const { config, env } = writeConfig(`${ollamaAgents(ollama.url)}
  plain:
    type: ollama
    endpoint: ${ollama.url}
    model: llama3`);
    const table = await runCli(['models', 'status', '--config', config], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).not.toContain('is not pulled');
    const json = JSON.parse((await runCli(['models', 'status', '--json', '--config', config], { env })).stdout) as { backends: { missingModels: unknown[] }[] };
    expect(json.backends[0]?.missingModels).toEqual([]);
  });

  it('pull shows progress and the model then appears in list; remove removes it', async () => {
    const ollama = await startFakeOllama({ models: ['mistral:7b-instruct'] });
    servers.push(ollama);
    const { config, env } = writeConfig(ollamaAgents(ollama.url));
    const before = await runCli(['models', 'list', '--config', config], { env });
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('mistral:7b-instruct');
    expect(before.stdout).not.toContain('codellama:13b');

    const pull = await runCli(['models', 'pull', 'codellama:13b', '--config', config], { env });
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain(`pulled codellama:13b into Ollama at ${ollama.url}`);
    expect(pull.stderr).toContain('pulling manifest');
    expect(pull.stderr).toMatch(/pulling 6a0746a1ec1a: 50% \(3\.7 GB of 7\.4 GB\)/);
    expect(pull.stderr).toMatch(/: 100% /);
    expect(pull.stderr).toContain('success');
    expect(pull.stderr).not.toContain('\r');

    const after = await runCli(['models', 'list', '--json', '--config', config], { env });
    const names = (JSON.parse(after.stdout) as { models: { name: string }[] }).models.map((m) => m.name);
    expect(names).toEqual(['mistral:7b-instruct', 'codellama:13b']);

    const removed = await runCli(['models', 'remove', 'codellama:13b', '--config', config], { env });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('removed codellama:13b');
    const last = await runCli(['models', 'list', '--json', '--config', config], { env });
    expect((JSON.parse(last.stdout) as { models: { name: string }[] }).models.map((m) => m.name)).toEqual(['mistral:7b-instruct']);

    const again = await runCli(['models', 'remove', 'codellama:13b', '--config', config], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("model 'codellama:13b' is not installed");
  });

  it('a pull of a model the registry does not have fails with the server message', async () => {
    const ollama = await startFakeOllama();
    servers.push(ollama);
    const { config, env } = writeConfig(ollamaAgents(ollama.url));
    const result = await runCli(['models', 'pull', 'nonexistent:1b', '--config', config], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: pull of nonexistent:1b failed: pull model manifest: file does not exist');
  });

  it('reports a backend that is down, with its URL, and exits non-zero', async () => {
    const ollama = await startFakeOllama();
    const url = ollama.url;
    await ollama.close();
    const { config, env } = writeConfig(ollamaAgents(url));
    const result = await runCli(['models', 'status', '--config', config], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`Ollama\\s+${url.replace(/\./g, '\\.')}\\s+no`));
    expect(result.stderr).toContain(`error: Ollama at ${url} is not reachable (connection refused); start it: \`ollama serve\``);
    const json = await runCli(['models', 'status', '--json', '--config', config], { env });
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { backends: { online: boolean; url: string }[] }).backends[0]).toMatchObject({
      online: false,
      url,
      error: `Ollama at ${url} is not reachable (connection refused)`,
      fix: 'start it: `ollama serve`',
    });
    // The same words wherever the refused connection is noticed: the agents listing, and a step.
    const agents = await runCli(['agents', '--json', '--config', config], { env });
    expect(agents.stdout).toContain(`${url}/api/version is not reachable (connection refused)`);
  });

  it('shows a backend only disabled agents use as down without failing', async () => {
    const ollama = await startFakeOllama();
    const url = ollama.url;
    await ollama.close();
    const { config, env } = writeConfig(ollamaAgents(url, false));
    const result = await runCli(['models', 'status', '--config', config], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('local-code (disabled)');
    expect(result.stderr).toContain(`note: Ollama at ${url} is not reachable (connection refused); start it: \`ollama serve\` (only disabled agents use it)`);
  });

  it('reports llama-server loading (503) and refuses pull on it with a clear message', async () => {
    const llama = await startFakeLlamaServer({ loading: true });
    servers.push(llama);
    const { config, env } = writeConfig(`
  local-large:
    type: llamacpp
    endpoint: ${llama.url}`);
    const status = await runCli(['models', 'status', '--json', '--config', config], { env });
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { backends: unknown[] }).backends[0]).toMatchObject({ backend: 'llamacpp', online: true, loading: true });
    const pull = await runCli(['models', 'pull', 'qwen:7b', '--agent', 'local-large', '--config', config], { env });
    expect(pull.code).toBe(2);
    expect(pull.stderr).toContain('error: cannot pull models on llama-server: download the GGUF file yourself and restart llama-server');
  });

  it('Ctrl+C interrupts a pull cleanly with exit code 130', async () => {
    const ollama = await startFakeOllama({ pullSteps: 1000, pullStepDelayMs: 50 });
    servers.push(ollama);
    const { config, env } = writeConfig(ollamaAgents(ollama.url));
    const child = spawn(process.execPath, [CLI, 'models', 'pull', 'codellama:13b', '--config', config], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('%')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('error: pull of codellama:13b interrupted');
    expect(ollama.models.has('codellama:13b')).toBe(false);
  });
});
