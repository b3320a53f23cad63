/**
 * Local models through the real `run` command: offline mode with the offline-default workflow,
 * the hybrid workflow falling back from the real Claude Code binary (pointed at a closed port)
 * to a local model, and a stream cut off mid-answer failing the step.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { startFakeOllama } from '../fake-local/fake-ollama.js';
import type { ChatScript, FakeServer } from '../fake-local/server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface StepJson {
  agent: string;
  role: string;
  success: boolean;
  fallback_from: string | null;
  error: { kind: string; message: string } | null;
  primary_error: { kind: string; message: string } | null;
  output: string;
  files_modified: string[];
  proposed_changes: { path: string; applied: boolean; note: string | null }[];
}
interface ResultJson {
  success: boolean;
  workflow: string;
  steps: StepJson[];
}

async function ollama(script?: ChatScript) {
  const server = await startFakeOllama({ models: ['codellama:13b', 'mistral:7b-instruct'], ...(script ? { script } : {}) });
  servers.push(server);
  return server;
}

function setup(yaml: string): { config: string; cwd: string; env: Record<string, string> } {
  // The working directory is its own folder: the state database (home) must not be in it, or the
  // change detection would see its writes.
  const dir = tempDir('aio-local-run-');
  const cwd = path.join(dir, 'work');
  mkdirSync(cwd);
  const config = path.join(dir, 'agents.yaml');
  writeFileSync(config, yaml);
  return { config, cwd, env: { AI_ORCHESTRATOR_HOME: path.join(dir, 'home'), HOME: dir } };
}

const localAgents = (url: string): string => `
  local-code:
    type: ollama
    endpoint: ${url}
    model: codellama:13b
  local-instruct:
    type: ollama
    endpoint: ${url}
    model: mistral:7b-instruct`;

/** A port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('local models in workflows', () => {
  it('run --offline switches default to offline-default and runs local-code → local-instruct', async () => {
    const fake = await ollama((request) => ({ type: 'text', chunks: [`answer for ${request.model ?? '?'}`] }));
    const { config, cwd, env } = setup(`agents:
  codex:
    type: cli
    command: codex
${localAgents(fake.url)}
workflows:
  default:
    - agent: codex
      task: implement
  offline-default:
    offline: true
    steps:
      - agent: local-code
        role: implementer
      - agent: local-instruct
        role: reviewer
`);
    const result = await runCli(['run', '--offline', '--json', 'Explain quicksort', '--config', config], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as ResultJson;
    expect(json.workflow).toBe('offline-default');
    expect(json.success).toBe(true);
    expect(json.steps.map((s) => [s.agent, s.role, s.success, s.output])).toEqual([
      ['local-code', 'implement', true, 'answer for codellama:13b'],
      ['local-instruct', 'review', true, 'answer for mistral:7b-instruct'],
    ]);
    expect(fake.requests.filter((r) => r.path === '/api/chat').map((r) => r.model)).toEqual(['codellama:13b', 'mistral:7b-instruct']);
  });

  it('with auto_detect, an unreachable CONNECTIVITY_CHECK_URL switches default to offline-default', async () => {
    const fake = await ollama();
    const port = await closedPort();
    const { config, cwd, env } = setup(`agents:
  codex:
    type: cli
    command: codex
${localAgents(fake.url)}
workflows:
  default:
    - agent: codex
      task: implement
  offline-default:
    offline: true
    steps:
      - agent: local-code
        role: implementer
settings:
  offline:
    auto_detect: true
`);
    const result = await runCli(['run', '--json', 'Explain quicksort', '--config', config], {
      cwd,
      env: { ...env, CONNECTIVITY_CHECK_URL: `http://127.0.0.1:${port}/generate_204` },
    });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as ResultJson).workflow).toBe('offline-default');
    expect(result.stderr).toContain(`offline mode: probe http://127.0.0.1:${port}/generate_204 is not reachable (connection refused)`);
  });

  it('hybrid falls back from the real claude binary (network failure) to local-instruct', async () => {
    const fake = await ollama((request) => ({ type: 'text', chunks: [`local answer from ${request.model ?? '?'}`] }));
    const port = await closedPort();
    const claude = path.join(REPO_ROOT, 'node_modules/.bin/claude');
    const { config, cwd, env } = setup(`agents:
  claude:
    type: claude
    command: ${claude}
    env:
      ANTHROPIC_BASE_URL: http://127.0.0.1:${port}
      ANTHROPIC_API_KEY: sk-ant-dummy-key-for-tests
      CLAUDE_CODE_MAX_RETRIES: "0"
      DISABLE_TELEMETRY: "1"
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1"
${localAgents(fake.url)}
workflows:
  hybrid:
    steps:
      - agent: local-code
        role: implementer
      - agent: claude
        role: reviewer
        fallback: local-instruct
settings:
  max_iterations: 1
`);
    const result = await runCli(['run', '--workflow', 'hybrid', '--json', 'Explain quicksort', '--config', config], { cwd, env, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as ResultJson;
    expect(json.success).toBe(true);
    const review = json.steps[1];
    expect(review).toMatchObject({ agent: 'local-instruct', role: 'review', success: true, fallback_from: 'claude' });
    expect(review?.primary_error?.kind).toBe('network');
    expect(review?.output).toBe('local answer from mistral:7b-instruct');
  });

  it('a stream cut off mid-answer fails the step with kind network, not a half answer', async () => {
    const fake = await ollama(() => ({ type: 'cut', chunks: ['Quicksort is ', 'a divide'] }));
    const { config, cwd, env } = setup(`agents:
${localAgents(fake.url)}
workflows:
  local:
    - agent: local-code
      task: implement
settings:
  fallback:
    enabled: false
`);
    const result = await runCli(['run', '--workflow', 'local', '--json', 'Explain quicksort', '--config', config], { cwd, env });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as ResultJson;
    expect(json.success).toBe(false);
    expect(json.steps[0]).toMatchObject({ agent: 'local-code', success: false });
    expect(['network', 'bad_output']).toContain(json.steps[0]?.error?.kind);
  });

  it('apply_local_edits writes fenced files into the working directory and records them', async () => {
    const answer = 'Done.\n```js path=src/sort.js\nexport const sort = (a) => [...a].sort();\n```\n';
    const fake = await ollama(() => ({ type: 'text', chunks: [answer] }));
    const { config, cwd, env } = setup(`agents:
${localAgents(fake.url)}
workflows:
  local:
    - agent: local-code
      task: implement
settings:
  apply_local_edits: true
`);
    const result = await runCli(['run', '--workflow', 'local', '--json', 'Write a sort', '--config', config], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path.join(cwd, 'src/sort.js'), 'utf8')).toBe('export const sort = (a) => [...a].sort();\n');
    const json = JSON.parse(result.stdout) as ResultJson;
    expect(json.steps[0]?.files_modified).toEqual(['src/sort.js']);
    expect(json.steps[0]?.proposed_changes).toEqual([{ path: 'src/sort.js', applied: true, note: null }]);
  });

  it('without apply_local_edits the fenced files are not written', async () => {
    const answer = '```js path=src/sort.js\nexport const sort = 1;\n```\n';
    const fake = await ollama(() => ({ type: 'text', chunks: [answer] }));
    const { config, cwd, env } = setup(`agents:
${localAgents(fake.url)}
workflows:
  local:
    - agent: local-code
      task: implement
`);
    const result = await runCli(['run', '--workflow', 'local', '--json', 'Write a sort', '--config', config], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(cwd, 'src/sort.js'))).toBe(false);
    expect((JSON.parse(result.stdout) as ResultJson).steps[0]?.proposed_changes).toEqual([{ path: 'src/sort.js', applied: false, note: null }]);
  });

  it('lists the proposed files at the end of run with the command that writes them, and that command writes them', async () => {
    const answer = '```js path=src/sort.js\nexport const sort = 2;\n```\n\n```js path=../outside.js\nexport const evil = 1;\n```\n';
    const fake = await ollama(() => ({ type: 'text', chunks: [answer] }));
    const { config, cwd, env } = setup(`agents:
${localAgents(fake.url)}
workflows:
  local:
    - agent: local-code
      task: implement
`);
    const result = await runCli(['run', '--workflow', 'local', 'Write a sort', '--config', config], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const listed = await runCli(['tasks', 'list', '--json', '--config', config], { cwd, env });
    const id = (JSON.parse(listed.stdout) as { tasks: { task_id: string }[] }).tasks[0]?.task_id ?? '';
    const end = result.stderr.trimEnd().split('\n').slice(-3);
    expect(end).toEqual([
      '  local-code proposed 2 files, not written: src/sort.js, ../outside.js',
      `  write them: ai-orchestrator tasks apply ${id.slice(0, 8)} --proposed (settings.apply_local_edits: true writes them as they come)`,
      expect.stringMatching(/^✓ completed after 1 iteration in \S+ \(/),
    ]);
    expect(existsSync(path.join(cwd, 'src/sort.js'))).toBe(false);

    const applied = await runCli(['tasks', 'apply', id.slice(0, 8), '--proposed', '--config', config], { cwd: tempDir(), env });
    expect(applied.stdout.split('\n'), applied.stderr).toEqual(['added src/sort.js', 'refused ../outside.js: path leaves the working directory', '']);
    expect(applied.code).toBe(1);
    expect(readFileSync(path.join(cwd, 'src/sort.js'), 'utf8')).toBe('export const sort = 2;\n');
    expect(existsSync(path.join(path.dirname(cwd), 'outside.js'))).toBe(false);
    const shown = await runCli(['tasks', 'show', id, '--config', config], { cwd, env });
    expect(shown.stdout).toContain(`  step 1.1 proposed, not written: src/sort.js, ../outside.js (tasks apply ${id.slice(0, 8)} --proposed writes them)`);
  });
});
