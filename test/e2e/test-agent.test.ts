/**
 * `ai-orchestrator test-agent` as users run it, with fixture CLIs: the answer on stdout (or the
 * JSON result), live events on stderr, one-line errors for bad input, and Ctrl+C aborting the
 * agent with exit code 130 and nothing of it left running.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir } from '../helpers/cli.js';
import { FAKE_CLI, readPid, waitGone } from '../helpers/fake-cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/bin');

function setup(agents: Record<string, unknown>) {
  const dir = tempDir('aio-ta-work-');
  const home = tempDir('aio-ta-home-');
  const config = path.join(home, 'agents.yaml');
  writeFileSync(config, stringify({ agents }));
  return { dir, home, config };
}

describe('ai-orchestrator test-agent', () => {
  it('prints the answer on stdout and the live events and a summary on stderr', async () => {
    const s = setup({ claude: { type: 'claude', command: path.join(FIXTURES, 'fake-claude.mjs'), env: { FAKE_SCENARIO: 'success' } } });
    const result = await runCli(['-c', s.config, 'test-agent', 'claude', 'create hello.txt', '--cwd', s.dir], {
      env: { AI_ORCHESTRATOR_HOME: s.home },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('done: wrote hello.txt\n');
    expect(result.stderr).toContain('→ Write');
    expect(result.stderr).toContain('± add');
    expect(result.stderr).toMatch(/claude: ok — \d+ ms, 25 in \/ 10 out tokens, \$0\.0012, files: hello\.txt/);
    // It ran as an ordinary task of the task service: in the history, with its source.
    const listed = await runCli(['-c', s.config, 'tasks', 'list', '--json'], { env: { AI_ORCHESTRATOR_HOME: s.home } });
    const tasks = (JSON.parse(listed.stdout) as { tasks: { task: string; workflow: string; source: string; status: string }[] }).tasks;
    expect(tasks).toEqual([expect.objectContaining({ task: 'create hello.txt', workflow: 'agent:claude', source: 'test-agent', status: 'completed' })]);
  });

  it('prints the issue\'s JSON shape with --json and exits 1 on an agent failure', async () => {
    const s = setup({ codex: { type: 'codex', command: path.join(FIXTURES, 'fake-codex.mjs'), env: { FAKE_SCENARIO: 'api-401' } } });
    const result = await runCli(['-c', s.config, 'test-agent', 'codex', 'hi', '--cwd', s.dir, '--json'], {
      env: { AI_ORCHESTRATOR_HOME: s.home },
    });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['agent', 'duration_ms', 'error', 'files_modified', 'output', 'success', 'usage']);
    expect(json).toMatchObject({ agent: 'codex', success: false, error: { kind: 'auth' }, files_modified: [] });
    expect(json['usage']).toEqual({ input_tokens: 0, output_tokens: 0 });
    expect((json['error'] as { fix?: string }).fix).toBe('run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env');
  });

  it('states an agent failure once, in the summary, with its fix', async () => {
    const s = setup({ codex: { type: 'codex', command: path.join(FIXTURES, 'fake-codex.mjs'), env: { FAKE_SCENARIO: 'api-401' } } });
    const result = await runCli(['-c', s.config, 'test-agent', 'codex', 'hi', '--cwd', s.dir], { env: { AI_ORCHESTRATOR_HOME: s.home } });
    expect(result.code).toBe(1);
    const errorLines = result.stderr.split('\n').filter((line) => line.includes('401'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^codex: failed \(auth\): /);
    expect(result.stderr).toContain('\n  fix: run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env\n');
    // The fix is stored with the step: tasks show says it too.
    const listed = await runCli(['-c', s.config, 'tasks', 'list', '--json'], { env: { AI_ORCHESTRATOR_HOME: s.home } });
    const id = (JSON.parse(listed.stdout) as { tasks: { task_id: string }[] }).tasks[0]?.task_id ?? '';
    const shown = await runCli(['-c', s.config, 'tasks', 'show', id], { env: { AI_ORCHESTRATOR_HOME: s.home } });
    expect(shown.stdout).toMatch(/ {2}step 1\.1 auth: .*401.*\n {4}fix: run `codex login`, or set OPENAI_API_KEY/);
  });

  it('names the known agents in a one-line error for an unknown one', async () => {
    const s = setup({ alpha: { type: 'generic', command: FAKE_CLI }, beta: { type: 'generic', command: FAKE_CLI } });
    const result = await runCli(['-c', s.config, 'test-agent', 'gamma', 'hi'], { env: { AI_ORCHESTRATOR_HOME: s.home } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('error: unknown agent "gamma" (known: alpha, beta)');
  });

  it('rejects an empty prompt and a missing working directory in one line each', async () => {
    const s = setup({ alpha: { type: 'generic', command: FAKE_CLI } });
    const empty = await runCli(['-c', s.config, 'test-agent', 'alpha', '-'], { env: { AI_ORCHESTRATOR_HOME: s.home }, input: '  \n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe('error: the prompt is empty');
    const noDir = await runCli(['-c', s.config, 'test-agent', 'alpha', 'hi', '--cwd', path.join(s.dir, 'nope')], {
      env: { AI_ORCHESTRATOR_HOME: s.home },
    });
    expect(noDir.code).toBe(2);
    expect(noDir.stderr.trim()).toMatch(/^error: working directory .*nope does not exist or is not a directory$/);
  });

  it('aborts the agent on Ctrl+C, exits 130 and leaves no agent process behind', async () => {
    const s = setup({});
    const pidFile = path.join(s.dir, 'agent.pid');
    writeFileSync(
      s.config,
      stringify({ agents: { slow: { type: 'generic', command: FAKE_CLI, env: { FAKE_HANG: '1', FAKE_PID_FILE: pidFile } } } }),
    );
    const child = spawn(process.execPath, [CLI, '-c', s.config, 'test-agent', 'slow', 'hi', '--cwd', s.dir, '--json'], {
      env: { ...process.env, AI_ORCHESTRATOR_HOME: s.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const agentPid = await readPid(pidFile, 20_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ success: false, error: { kind: 'cancelled' } });
    expect(await waitGone(agentPid, 5000)).toBe(true);
  });
});
