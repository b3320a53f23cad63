/**
 * `ai-orchestrator shell` through the real binary with generic fixture agents
 * (test/fixtures/bin/fake-cli.mjs): piped lines, follow-ups, slash commands, Ctrl+C on a task.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CLI, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { isAlive } from '../helpers/fake-cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');

interface Setup {
  readonly home: string;
  readonly work: string;
  readonly config: string;
  readonly env: Record<string, string>;
  readonly stdinFile: string;
}

function setup(extraAgents: Record<string, Record<string, string>> = {}, extraWorkflows: Record<string, unknown> = {}): Setup {
  const home = tempDir('aio-home-');
  const work = tempDir('aio-work-');
  const stdinFile = path.join(work, 'prompt.txt');
  const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
  const agents = { impl: { FAKE_STDOUT: 'RESULT-OF-TASK', FAKE_STDIN_FILE: stdinFile }, ...extraAgents };
  writeFileSync(
    config,
    stringify({
      agents: Object.fromEntries(Object.entries(agents).map(([name, env]) => [name, { type: 'generic', command: FAKE_CLI, env, timeout: 60 }])),
      workflows: { default: [{ agent: 'impl', task: 'implement' }], ...extraWorkflows },
      settings: { max_iterations: 1, enable_context_memory: false },
    }),
  );
  return { home, work, config, env: { AI_ORCHESTRATOR_HOME: home }, stdinFile };
}

function shell(s: Setup, input: string) {
  return runCli(['shell', '--config', s.config, '--cwd', s.work], { env: s.env, input });
}

async function listTasks(s: Setup): Promise<{ task_id: string; status: string; task: string }[]> {
  const listed = await runCli(['tasks', 'list', '--json'], { env: s.env });
  return (JSON.parse(listed.stdout) as { tasks: { task_id: string; status: string; task: string }[] }).tasks;
}

const pidsToReap: number[] = [];
afterEach(() => {
  for (const pid of pidsToReap.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});


async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ai-orchestrator shell', () => {
  it('runs piped lines as tasks in order; the second is a follow-up of the first; /history lists both; EOF exits 0', async () => {
    const s = setup();
    const result = await shell(s, 'write first.txt\nnow the second\n/history\n');
    expect(result.stderr).not.toMatch(/unexpected error|at .*\.js:\d+/);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/RESULT-OF-TASK/g)).toHaveLength(2);
    const prompt = readFileSync(s.stdinFile, 'utf8');
    expect(prompt).toContain('Previous task: write first.txt\nPrevious result: RESULT-OF-TASK\n\nFollow-up: now the second');

    const tasks = await listTasks(s);
    expect(tasks).toHaveLength(2);
    expect(tasks.every((t) => t.status === 'completed')).toBe(true);
    for (const t of tasks) expect(result.stdout).toMatch(new RegExp(`${t.task_id.slice(0, 8)}\\s+completed`));
    expect(result.stdout).toMatch(/completed\s+write first\.txt/);
    expect(result.stdout).toMatch(/completed\s+now the second/);
  });

  it('/new starts fresh: the next task carries no previous task', async () => {
    const s = setup();
    const result = await shell(s, 'first one\n/new\nunrelated task\n');
    expect(result.code).toBe(0);
    const prompt = readFileSync(s.stdinFile, 'utf8');
    expect(prompt).toContain('unrelated task');
    expect(prompt).not.toContain('Previous task');
  });

  it('an unknown workflow, an unknown command or a failing task is one error line; the shell goes on', async () => {
    const s = setup({ bad: { FAKE_EXIT: '3', FAKE_STDERR: 'boom' } }, { broken: [{ agent: 'bad', task: 'implement' }] });
    const result = await shell(s, '/workflow nope\n/frob\n/workflow broken\nthis fails\n/workflow default\n/new\nstill running\n/show zzzz\n');
    expect(result.stderr).toContain('error: unknown workflow "nope" (known: default, broken, dynamic)');
    expect(result.stderr).toMatch(/error: unknown command \/frob \(commands: \/help, .*\/exit\)/);
    expect(result.stderr).toMatch(/error: task zzzz not found/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(readFileSync(s.stdinFile, 'utf8')).toContain('still running');
    const tasks = await listTasks(s);
    expect(tasks.map((t) => [t.task, t.status]).sort()).toEqual([
      ['still running', 'completed'],
      ['this fails', 'failed'],
    ]);
    // The last task completed: exit 0.
    expect(result.code).toBe(0);
  });

  it('exits 1 at EOF when the last task failed', async () => {
    const s = setup({ bad: { FAKE_EXIT: '3' } }, { broken: [{ agent: 'bad', task: 'implement' }] });
    const result = await runCli(['shell', '--workflow', 'broken', '--config', s.config, '--cwd', s.work], { env: s.env, input: 'fails\n' });
    expect(result.code).toBe(1);
    expect((await listTasks(s))[0]?.status).toBe('failed');
  });

  it('Ctrl+C (SIGINT) cancels the running task, kills its agent and returns to the prompt', async () => {
    const pidFile = path.join(tempDir('aio-pid-'), 'agent.pid');
    const s = setup({ hang: { FAKE_HANG: '1', FAKE_PID_FILE: pidFile } }, { slow: [{ agent: 'hang', task: 'implement' }] });
    const child = spawn(process.execPath, [CLI, 'shell', '--workflow', 'slow', '--config', s.config, '--cwd', s.work], {
      env: { ...process.env, NO_COLOR: '1', ...s.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      child.stdin.write('hang forever\n');
      await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the agent pid file');
      const agentPid = Number(readFileSync(pidFile, 'utf8').trim());
      pidsToReap.push(agentPid);
      expect(isAlive(agentPid)).toBe(true);
      child.kill('SIGINT');
      await waitFor(() => !isAlive(agentPid), 'the agent to be killed', 15_000);
      await waitFor(() => /cancelled/.test(stderr), 'the cancel notice', 15_000);
      expect((await listTasks(s))[0]).toMatchObject({ task: 'hang forever', status: 'cancelled' });
      // One line, from the live display; the shell adds no "task … cancelled" of its own.
      await waitFor(() => stderr.trimEnd().endsWith('aio>'), 'the prompt after the cancel');
      const afterStep = stderr.slice(stderr.indexOf('hang implement …') + 'hang implement …'.length).split('\n').filter((line) => line.trim() !== '' && line.trim() !== 'aio>');
      expect(afterStep, stderr).toEqual([expect.stringMatching(/^■ cancelled after 1 iteration in \S+ \(by the user\)$/)]);

      // Still alive: the next lines run.
      expect(child.exitCode).toBeNull();
      child.stdin.end('/workflow default\nafter the cancel\n');
      expect(await done).toBe(0);
      expect(stdout).toContain('RESULT-OF-TASK');
      const prompt = readFileSync(s.stdinFile, 'utf8');
      expect(prompt).toContain('after the cancel');
      // A cancelled task is no context for a follow-up.
      expect(prompt).not.toContain('Previous task');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('Ctrl+C at the prompt says how to leave; a second one within 2 s exits', async () => {
    const s = setup();
    const child = spawn(process.execPath, [CLI, 'shell', '--config', s.config, '--cwd', s.work], {
      env: { ...process.env, NO_COLOR: '1', ...s.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes('aio> '), 'the prompt');
      child.kill('SIGINT');
      await waitFor(() => stderr.includes('(to exit, press Ctrl+C again, Ctrl+D, or type /exit)'), 'the exit hint');
      expect(child.exitCode).toBeNull();
      child.kill('SIGINT');
      expect(await done).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
