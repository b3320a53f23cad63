import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-local/fake-ollama.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** A PATH holding only executables with these names (init looks for them; it never runs them). */
function pathWith(names: readonly string[]): string {
  const bin = tempDir('aio-bin-');
  for (const name of names) {
    const file = path.join(bin, name);
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o755);
  }
  return bin;
}

/** 127.0.0.1:9 (discard) has no HTTP server: the probes for the other servers find nothing. */
const NOWHERE = ['--llama-server', 'http://127.0.0.1:9', '--openai-compatible', 'http://127.0.0.1:9/v1'];

describe('ai-orchestrator init', () => {
  let ollama: FakeOllama | undefined;
  afterEach(async () => {
    await ollama?.close();
    ollama = undefined;
  });

  it('writes a config of the CLIs on PATH and a running Ollama that passes validate, and keeps it without --force', async () => {
    ollama = await startFakeOllama({ models: ['qwen2.5-coder:7b'] });
    const project = tempDir();
    const env = { PATH: pathWith(['claude', 'codex']), OLLAMA_HOST: '' };
    const init = await runCli(['init', '--ollama', ollama.url, ...NOWHERE], { cwd: project, env });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const file = path.join(project, '.ai-orchestrator', 'agents.yaml');
    expect(init.stdout).toContain(`wrote ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# /); // commented for a first-time reader
    expect(text).not.toMatch(/^ {2}gemini:/m);

    const validate = await runCli(['validate', '--json'], { cwd: project, env });
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    const report = JSON.parse(validate.stdout) as { path: string; source: string; warnings: string[]; agents: { name: string; type: string; available: boolean }[] };
    expect(report).toMatchObject({ path: file, source: 'project', warnings: [] });
    expect(report.agents.map((a) => [a.name, a.type, a.available])).toEqual([
      ['claude', 'cli', true],
      ['codex', 'cli', true],
      ['local-ollama', 'ollama', true],
    ]);

    const workflows = await runCli(['workflows', '--json'], { cwd: project, env });
    const { workflows: listed } = JSON.parse(workflows.stdout) as { workflows: { name: string; steps: { agent: string; task: string; fallback: string | null }[] }[] };
    expect(listed.find((w) => w.name === 'default')?.steps).toMatchObject([
      { agent: 'codex', task: 'implement' },
      { agent: 'claude', task: 'review', fallback: 'local-ollama' },
      { agent: 'codex', task: 'refine' },
    ]);
    expect(text).toContain('model: "qwen2.5-coder:7b"');

    writeFileSync(file, 'agents: {}\n# edited by hand\n');
    const again = await runCli(['init', '--ollama', ollama.url, ...NOWHERE], { cwd: project, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(file, 'utf8')).toBe('agents: {}\n# edited by hand\n');

    const forced = await runCli(['init', '--force', '--ollama', ollama.url, ...NOWHERE], { cwd: project, env });
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text); // the same starter again
  });

  it('writes $AI_ORCHESTRATOR_HOME/agents.yaml with --home; local models alone make an offline-capable workflow', async () => {
    ollama = await startFakeOllama();
    const home = tempDir('aio-home-');
    const project = tempDir();
    const env = { PATH: pathWith([]), AI_ORCHESTRATOR_HOME: home, OLLAMA_HOST: '' };
    const init = await runCli(['init', '--home', '--ollama', ollama.url, ...NOWHERE], { cwd: project, env });
    expect(init.code).toBe(0);
    const validate = await runCli(['validate', '--json'], { cwd: project, env });
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ path: path.join(home, 'agents.yaml'), source: 'home', warnings: [] });
  });

  it('refuses with one line when it finds nothing to configure, writing nothing', async () => {
    const project = tempDir();
    const result = await runCli(['init', '--ollama', 'http://127.0.0.1:9', ...NOWHERE], { cwd: project, env: { PATH: pathWith([]), OLLAMA_HOST: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('found no coding CLI on PATH');
    expect(existsSync(path.join(project, '.ai-orchestrator'))).toBe(false);
  });
});
