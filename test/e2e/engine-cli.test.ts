/**
 * `ai-orchestrator run` and `tasks` through the real binary, with generic fixture agents
 * (test/fixtures/bin/fake-cli.mjs) configured in an agents.yaml: real processes, real SQLite.
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
const REVIEW_OK = 'Looks complete.\n```json\n{"suggestions": []}\n```\n';

interface Setup {
  readonly home: string;
  readonly work: string;
  readonly config: string;
  readonly env: Record<string, string>;
}

type Agents = Record<string, Record<string, string>>;

function setup(agentsFor: Agents | ((work: string) => Agents), workflows?: Record<string, unknown>): Setup {
  const home = tempDir('aio-home-');
  const work = tempDir('aio-work-');
  const agents = typeof agentsFor === 'function' ? agentsFor(work) : agentsFor;
  const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
  const agentEntries = Object.fromEntries(
    Object.entries(agents).map(([name, env]) => [name, { type: 'generic', command: FAKE_CLI, env, timeout: 60 }]),
  );
  writeFileSync(
    config,
    stringify({
      agents: agentEntries,
      workflows: workflows ?? {
        default: [
          { agent: 'impl', task: 'implement' },
          { agent: 'rev', task: 'review' },
          { agent: 'ref', task: 'refine' },
        ],
      },
      settings: { max_iterations: 3 },
    }),
  );
  return { home, work, config, env: { AI_ORCHESTRATOR_HOME: home } };
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

async function waitForFile(file: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (text) return text;
    }
    await sleep(50);
  }
  throw new Error(`${file} did not appear`);
}

function startRun(s: Setup, args: readonly string[]) {
  const child = spawn(process.execPath, [CLI, 'run', ...args, '--config', s.config, '--cwd', s.work], {
    env: { ...process.env, NO_COLOR: '1', ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

describe('ai-orchestrator run with fixture agents', () => {
  it('prints one JSON object with the result, stores the task and writes the reports', async () => {
    const s = setup({
      impl: { FAKE_STDOUT: 'implemented the thing', FAKE_WRITE_FILE: 'hello.txt' },
      rev: { FAKE_STDOUT: REVIEW_OK },
      ref: { FAKE_STDOUT: 'refined: final answer' },
    });
    const result = await runCli(['run', 'Build a greeting file', '--json', '--config', s.config, '--cwd', s.work], { env: s.env });
    expect(result.stderr).toContain('completed');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['task_id', 'success', 'workflow', 'iterations', 'steps', 'final_output', 'convergence', 'stop_reason']),
    );
    expect(json).toMatchObject({ success: true, workflow: 'default', iterations: 1, final_output: 'refined: final answer', stop_reason: 'converged' });
    const steps = json['steps'] as Record<string, unknown>[];
    expect(steps).toHaveLength(3);
    for (const step of steps) {
      for (const key of ['iteration', 'agent', 'role', 'success', 'fallback_from', 'suggestions', 'files_modified', 'duration_ms', 'usage', 'error']) {
        expect(step).toHaveProperty(key);
      }
    }
    expect(steps[0]).toMatchObject({ agent: 'impl', role: 'implement', files_modified: ['hello.txt'], fallback_from: null, error: null });
    expect(steps[1]).toMatchObject({ agent: 'rev', role: 'review', suggestions: [] });
    expect(existsSync(path.join(s.work, 'hello.txt'))).toBe(true);
    expect((json['convergence'] as unknown[])[0]).toMatchObject({ iteration: 1, suggestions: 0, stop: { reason: 'converged' } });

    const id = json['task_id'] as string;
    const report = JSON.parse(readFileSync(path.join(s.home, 'reports', `exec_${id}.json`), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({ task_id: id, task: 'Build a greeting file', success: true });
    expect(readFileSync(path.join(s.home, 'output', `${id}.md`), 'utf8')).toContain('refined: final answer');

    const shown = await runCli(['tasks', 'show', id, '--json'], { env: s.env });
    expect(shown.code).toBe(0);
    const task = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(task).toMatchObject({ task_id: id, status: 'completed', success: true, final_output: 'refined: final answer' });
    expect(task['steps']).toHaveLength(3);

    const listed = await runCli(['tasks', 'list', '--json', '--status', 'completed'], { env: s.env });
    expect((JSON.parse(listed.stdout) as { tasks: { task_id: string }[] }).tasks.map((t) => t.task_id)).toEqual([id]);
  });

  it('reads the task from stdin with "-" and prints the final output in plain mode', async () => {
    const s = setup({ impl: { FAKE_STDOUT: 'done' } }, { default: [{ agent: 'impl', task: 'implement' }] });
    const result = await runCli(['run', '-', '--config', s.config, '--cwd', s.work], { env: s.env, input: 'Write hello.txt\n' });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('done');
    expect(result.stderr).toMatch(/impl implement/);
  });

  it('cancels on SIGINT during a hanging step: exit 130, no agent process left, task stored as cancelled', async () => {
    const s = setup((work) => ({
      impl: { FAKE_HANG: '1', FAKE_PID_FILE: path.join(work, 'agent.pid'), FAKE_GRANDCHILD_PID_FILE: path.join(work, 'grandchild.pid') },
      rev: { FAKE_STDOUT: REVIEW_OK },
      ref: { FAKE_STDOUT: 'x' },
    }));
    const pidFile = path.join(s.work, 'agent.pid');
    const grandchildFile = path.join(s.work, 'grandchild.pid');

    const run = startRun(s, ['Hang forever', '--json']);
    const agentPid = Number(await waitForFile(pidFile));
    const grandchildPid = Number(await waitForFile(grandchildFile));
    pidsToReap.push(agentPid);
    expect(isAlive(agentPid)).toBe(true);
    const sent = Date.now();
    run.child.kill('SIGINT');
    const { code } = await run.done;
    const elapsed = Date.now() - sent;
    expect(code).toBe(130);
    expect(elapsed).toBeLessThan(10_000);
    expect(isAlive(agentPid)).toBe(false);
    expect(isAlive(grandchildPid)).toBe(false);
    const json = JSON.parse(run.output().stdout) as { task_id: string; status: string; stop_reason: string };
    expect(json).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled' });
    // One line says so (off a terminal Ctrl+C adds none of its own; the cut-off step and iteration say nothing).
    const lines = run.output().stderr.trimEnd().split('\n');
    const step = lines.findIndex((line) => line.includes('impl implement …'));
    expect(lines.slice(step + 1), run.output().stderr).toEqual([expect.stringMatching(/^■ cancelled after 1 iteration in \S+ \(by the user\)$/)]);
    const shown = await runCli(['tasks', 'show', json.task_id, '--json'], { env: s.env });
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'cancelled', success: false });
  });

  it('marks the task interrupted on the next command after the orchestrator is killed with SIGKILL', async () => {
    const s = setup((work) => ({ impl: { FAKE_HANG: '1', FAKE_PID_FILE: path.join(work, 'agent.pid') } }), {
      default: [{ agent: 'impl', task: 'implement' }],
    });
    const pidFile = path.join(s.work, 'agent.pid');
    const run = startRun(s, ['Hang until killed']);
    const agentPid = Number(await waitForFile(pidFile));
    pidsToReap.push(agentPid);
    const before = await runCli(['tasks', 'list', '--json'], { env: s.env });
    expect((JSON.parse(before.stdout) as { tasks: { status: string }[] }).tasks[0]?.status).toBe('in_progress');
    run.child.kill('SIGKILL');
    await run.done;
    const after = await runCli(['tasks', 'list', '--json'], { env: s.env });
    expect(after.code).toBe(0);
    const tasks = (JSON.parse(after.stdout) as { tasks: { status: string; reason: string | null }[] }).tasks;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.status).toBe('interrupted');
    expect(tasks[0]?.reason).toMatch(/its process \(pid \d+\) ended/);
    // The agent it left behind (its own process group, so the SIGKILL did not reach it) is stopped too.
    expect(tasks[0]?.reason).toContain(`its agent (pid ${agentPid}) was still running and was stopped`);
    await sleep(200);
    expect(isAlive(agentPid)).toBe(false);
  });
});

describe('ai-orchestrator run refuses bad input with one line', () => {
  const single = (): Setup => setup({ impl: { FAKE_STDOUT: 'x' } }, { default: [{ agent: 'impl', task: 'implement' }] });

  function oneLineError(stderr: string): string {
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0] ?? '';
  }

  it('names an unknown workflow', async () => {
    const s = single();
    const result = await runCli(['run', 'do it', '--workflow', 'nope', '--config', s.config, '--cwd', s.work], { env: s.env });
    expect(result.code).not.toBe(0);
    expect(oneLineError(result.stderr)).toBe("error: Workflow 'nope' not found (available: default)");
  });

  it('refuses an empty task, given or from stdin', async () => {
    const s = single();
    for (const args of [['run', '   '], ['run', '-']]) {
      const result = await runCli([...args, '--config', s.config, '--cwd', s.work], { env: s.env, input: '\n' });
      expect(result.code).not.toBe(0);
      expect(oneLineError(result.stderr)).toBe('error: Task description is empty');
    }
  });

  it('says so when no agent of the workflow can run', async () => {
    const s = single();
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replaceAll(FAKE_CLI, 'no-such-agent-cli-xyz'));
    const result = await runCli(['run', 'do it', '--config', s.config, '--cwd', s.work], { env: s.env });
    expect(result.code).not.toBe(0);
    expect(oneLineError(result.stderr)).toMatch(/^error: Workflow 'default' has no executable steps \(check agent availability\/offline mode\)/);
  });

  it('refuses a bad duration for tasks clean', async () => {
    const s = single();
    const result = await runCli(['tasks', 'clean', '--older-than', 'soon'], { env: s.env });
    expect(result.code).not.toBe(0);
    expect(oneLineError(result.stderr)).toBe('error: invalid duration "soon" (use e.g. 30m, 12h, 7d, 2w)');
  });
});
