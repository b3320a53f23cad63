/**
 * A task seen from another process: `run` in one child process, `tasks watch`, `tasks cancel`,
 * `tasks show` and `tasks resume` in others — real processes, one shared SQLite home.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CLI, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { isAlive } from '../helpers/fake-cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const FAKE_ROUNDS = path.join(REPO_ROOT, 'test/fixtures/bin/fake-rounds.mjs');
const REVIEW_OK = 'Looks complete.\n```json\n{"suggestions": []}\n```\n';

interface Setup {
  readonly work: string;
  readonly config: string;
  readonly env: Record<string, string>;
}

function setup(agents: Record<string, Record<string, unknown>>, workflow: readonly Record<string, string>[], settings: Record<string, unknown> = {}): Setup {
  const home = tempDir('aio-home-');
  const work = tempDir('aio-work-');
  const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
  writeFileSync(config, stringify({ agents, workflows: { default: workflow }, settings: { max_iterations: 1, ...settings } }));
  return { work, config, env: { AI_ORCHESTRATOR_HOME: home } };
}

function fake(env: Record<string, string>, command = FAKE_CLI): Record<string, unknown> {
  return { type: 'generic', command, env, timeout: 120 };
}

const children: { pid?: number }[] = [];
const agentPids: number[] = [];
afterEach(() => {
  for (const pid of [...children.splice(0).map((c) => c.pid), ...agentPids.splice(0)]) {
    try {
      if (pid) process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function start(s: Setup, args: readonly string[]) {
  const child = spawn(process.execPath, [CLI, ...args, '--config', s.config], {
    env: { ...process.env, NO_COLOR: '1', ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, done, output: () => ({ stdout, stderr }) };
}

const cli = (s: Setup, args: readonly string[]) => runCli([...args, '--config', s.config], { env: s.env });

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function taskIdOf(s: Setup): Promise<string> {
  return waitFor(async () => {
    const listed = await cli(s, ['tasks', 'list', '--json']);
    // A loaded machine can make one listing fail (it is retried): only a listing with the task counts.
    if (listed.code !== 0) return undefined;
    const tasks = (JSON.parse(listed.stdout) as { tasks?: { task_id: string }[] }).tasks;
    return tasks?.[0]?.task_id;
  }, 'the task to be stored');
}

function readPidFile(file: string): Promise<number> {
  return waitFor(() => (existsSync(file) && readFileSync(file, 'utf8').trim() ? Number(readFileSync(file, 'utf8')) : undefined), file);
}

describe('a task from another terminal', () => {
  it('tasks watch --json follows a run of another process from its first event to its last, in order, and exits as run does', async () => {
    const s = setup(
      { impl: fake({ FAKE_STDOUT: 'implemented', FAKE_SLEEP_MS: '1500' }), rev: fake({ FAKE_STDOUT: REVIEW_OK, FAKE_SLEEP_MS: '500' }) },
      [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }],
    );
    const run = start(s, ['run', 'Watch me from elsewhere', '--cwd', s.work]);
    const id = await taskIdOf(s);
    const watch = start(s, ['tasks', 'watch', id.slice(0, 8), '--json']);
    const [ran, watched] = await Promise.all([run.done, watch.done]);
    expect(ran.code).toBe(0);
    expect(watched.code).toBe(0);
    const lines = watch.output().stdout.trim().split('\n').map((line) => JSON.parse(line) as { seq: number; type: string; taskId: string });
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines[0]?.type).toBe('task.created');
    expect(lines.at(-1)?.type).toBe('task.finished');
    expect(lines.every((l) => l.taskId === id)).toBe(true);
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['task.started', 'step.started', 'step.finished', 'iteration.finished']));
    // The renderer's view of the same task, replayed after the end, is what `run` printed.
    const replay = await cli(s, ['tasks', 'watch', id]);
    expect(replay.code).toBe(0);
    expect(replay.stderr).toContain('✓ completed after 1 iteration');
    expect(run.output().stderr).toContain('✓ completed after 1 iteration');
  });

  it('tasks cancel stops a run of another process: its agent dies within 2 s, the task is cancelled, run and watch exit 130', async () => {
    const pidFile = path.join(tempDir(), 'agent.pid');
    const s = setup({ slow: fake({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) }, [{ agent: 'slow', task: 'implement' }]);
    const run = start(s, ['run', 'Hang until cancelled', '--cwd', s.work]);
    const agent = await readPidFile(pidFile);
    agentPids.push(agent);
    const id = await taskIdOf(s);
    const watch = start(s, ['tasks', 'watch', id]);

    const shown = await cli(s, ['tasks', 'show', id]);
    expect(shown.stdout).toMatch(/running {3}iteration 1, step 1: slow implement, for \d+ s/);

    const cancelled = await cli(s, ['tasks', 'cancel', id]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`cancelled task ${id.slice(0, 8)}`);
    const gone = await waitFor(() => (isAlive(agent) ? undefined : true), 'the agent to be gone', 2_000);
    expect(gone).toBe(true);
    expect((await run.done).code).toBe(130);
    expect((await watch.done).code).toBe(130);
    // Both say it in one line after the step that was cut off, and print no result.
    for (const output of [run.output(), watch.output()]) {
      const lines = output.stderr.trimEnd().split('\n');
      const step = lines.findIndex((line) => line.includes('slow implement …'));
      expect(step, output.stderr).toBeGreaterThan(0);
      expect(lines.slice(step + 1)).toEqual([expect.stringMatching(/^■ cancelled after 1 iteration in \d+(\.\d)?m?s \(by the user\)$/)]);
      expect(output.stdout).toBe('');
    }
    const show = JSON.parse((await cli(s, ['tasks', 'show', id, '--json'])).stdout) as { status: string; stop_reason: string };
    expect(show).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled' });
    // Cancelling it again says so and changes nothing.
    const again = await cli(s, ['tasks', 'cancel', id]);
    expect(again.stdout).toContain('nothing to cancel');
  });

  it('tasks resume continues a task killed with SIGKILL in iteration 2 and ends exactly as an uninterrupted run', async () => {
    const hangFile = path.join(tempDir(), 'hang');
    const pidFile = path.join(tempDir(), 'agent.pid');
    const agents = {
      builder: fake({ FAKE_ROLE: 'implement' }, FAKE_ROUNDS),
      critic: fake({ FAKE_ROLE: 'review', FAKE_HANG_FILE: hangFile, FAKE_HANG_ROUND: '2', FAKE_PID_FILE: pidFile }, FAKE_ROUNDS),
    };
    const workflow = [{ agent: 'builder', task: 'implement' }, { agent: 'critic', task: 'review' }];
    const settings = { max_iterations: 4, min_suggestions_threshold: 2 };

    const uninterrupted = setup(agents, workflow, settings);
    const reference = await cli(uninterrupted, ['run', 'Build it in rounds', '--json', '--cwd', uninterrupted.work]);
    expect(reference.code).toBe(0);

    const s = setup(agents, workflow, settings);
    writeFileSync(hangFile, 'hang in round 2');
    const run = start(s, ['run', 'Build it in rounds', '--cwd', s.work]);
    const agent = await readPidFile(pidFile);
    agentPids.push(agent);
    run.child.kill('SIGKILL');
    await run.done;
    rmSync(hangFile);

    const id = await taskIdOf(s);
    const resumed = await cli(s, ['tasks', 'resume', id, '--json']);
    expect(resumed.stderr).toContain('resumed (was interrupted) at iteration 2, step 2');
    expect(resumed.code).toBe(0);
    // The agent the killed run left behind was stopped by the next command.
    expect(isAlive(agent)).toBe(false);

    type Result = { task_id: string; iterations: number; final_output: string; steps: { iteration: number; agent: string; suggestions: string[] }[]; convergence: { suggestions: number }[]; stop_reason: string };
    const expected = JSON.parse(reference.stdout) as Result;
    const actual = JSON.parse(resumed.stdout) as Result;
    expect(actual.task_id).toBe(id);
    expect(actual.iterations).toBe(expected.iterations);
    expect(actual.iterations).toBe(3);
    expect(actual.stop_reason).toBe(expected.stop_reason);
    expect(actual.final_output).toBe(expected.final_output);
    expect(actual.convergence.map((c) => c.suggestions)).toEqual(expected.convergence.map((c) => c.suggestions));
    expect(actual.steps.map((st) => [st.iteration, st.agent, st.suggestions.length])).toEqual(expected.steps.map((st) => [st.iteration, st.agent, st.suggestions.length]));
    const show = JSON.parse((await cli(s, ['tasks', 'show', id, '--json'])).stdout) as { status: string; steps: unknown[] };
    expect(show.status).toBe('completed');
    expect(show.steps).toHaveLength(6);
  });

  it('tasks resume refuses a completed task and a task that never ran, with one line', async () => {
    const s = setup({ impl: fake({ FAKE_STDOUT: 'done' }) }, [{ agent: 'impl', task: 'implement' }]);
    const ran = await cli(s, ['run', 'Quick one', '--cwd', s.work]);
    expect(ran.code).toBe(0);
    const id = await taskIdOf(s);
    const refused = await cli(s, ['tasks', 'resume', id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('cannot be resumed: it completed');
  });
});
