/**
 * The orphan matrix through `ai-orchestrator run`: an agent that starts {a plain child, a child
 * ignoring SIGTERM, a setsid child keeping stdout open, a setsid child on /dev/null} × the step
 * ending by {normal exit, timeout, SIGINT, SIGTERM of the orchestrator, kill -9 of the
 * orchestrator then the next command} → no process left, the right task state, the finished
 * step before it kept.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { CLI, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { FAKE_CLI, waitGone } from '../helpers/fake-cli.js';

const FORKING_AGENT = path.join(REPO_ROOT, 'test/fixtures/bin/forking-agent.mjs');
const CHILDREN = ['plain', 'ignore-term', 'setsid-stdout', 'setsid-null'] as const;
/** The step's limit plus 3 s, plus room for starting node twice on a loaded machine. */
const TIMEOUT_S = 1;
const STEP_END_BOUND_MS = (TIMEOUT_S + 3) * 1000 + 8000;

interface Setup {
  readonly home: string;
  readonly work: string;
  readonly config: string;
  readonly env: Record<string, string>;
  readonly agentPid: string;
  readonly childPid: string;
}

function setup(child: string, options: { hang: boolean; timeoutS?: number }): Setup {
  const home = tempDir('aio-orphan-home-');
  const work = tempDir('aio-orphan-work-');
  const config = path.join(tempDir('aio-orphan-cfg-'), 'agents.yaml');
  const agentPid = path.join(work, '..', `${path.basename(work)}-agent.pid`);
  const childPid = path.join(work, '..', `${path.basename(work)}-child.pid`);
  writeFileSync(
    config,
    stringify({
      agents: {
        first: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'first step done' }, timeout: 60 },
        forker: {
          type: 'generic',
          command: FORKING_AGENT,
          timeout: options.timeoutS ?? 60,
          env: {
            FORK_CHILD: child,
            FORK_AGENT_PID_FILE: agentPid,
            FORK_CHILD_PID_FILE: childPid,
            ...(options.hang ? { FORK_HANG: '1' } : {}),
          },
        },
      },
      workflows: { default: [{ agent: 'first', task: 'implement' }, { agent: 'forker', task: 'implement' }] },
      settings: { max_iterations: 1 },
    }),
  );
  return { home, work, config, env: { AI_ORCHESTRATOR_HOME: home }, agentPid, childPid };
}

const leftovers: number[] = [];
afterEach(() => {
  // A failing case must not leave its processes to the next one.
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

async function pidFrom(file: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (text) {
        leftovers.push(Number(text));
        return Number(text);
      }
    }
    await sleep(50);
  }
  throw new Error(`${file} did not appear`);
}

function startRun(s: Setup) {
  const child = spawn(process.execPath, [CLI, 'run', 'Fork and answer', '--json', '--config', s.config, '--cwd', s.work], {
    env: { ...process.env, NO_COLOR: '1', ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) leftovers.push(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

const stepJson = z.looseObject({ agent: z.string(), success: z.boolean(), error: z.looseObject({ kind: z.string() }).nullable() });
const taskJson = z.looseObject({ task_id: z.string(), status: z.string(), steps: z.array(stepJson) });

async function storedTask(s: Setup): Promise<z.infer<typeof taskJson>> {
  const listed = await runCli(['tasks', 'list', '--json'], { env: s.env });
  expect(listed.code, listed.stderr).toBe(0);
  const id = z.object({ tasks: z.array(z.object({ task_id: z.string() })) }).parse(JSON.parse(listed.stdout)).tasks[0]?.task_id;
  const shown = await runCli(['tasks', 'show', id ?? 'none', '--json'], { env: s.env });
  expect(shown.code, shown.stderr).toBe(0);
  return taskJson.parse(JSON.parse(shown.stdout));
}

async function expectNothingLeft(s: Setup): Promise<void> {
  expect(await waitGone(await pidFrom(s.agentPid))).toBe(true);
  expect(await waitGone(await pidFrom(s.childPid))).toBe(true);
}

function expectFirstStepKept(task: z.infer<typeof taskJson>): void {
  expect(task.steps[0]).toMatchObject({ agent: 'first', success: true });
}

describe.each(CHILDREN)('ai-orchestrator run, agent with a %s child', (child) => {
  it('normal exit: the task completes and the child is gone', async () => {
    const s = setup(child, { hang: false });
    const run = startRun(s);
    const { code } = await run.done;
    expect(code, run.output().stderr).toBe(0);
    expect(JSON.parse(run.output().stdout)).toMatchObject({ status: 'completed', final_output: 'forked' });
    await expectNothingLeft(s);
    const task = await storedTask(s);
    expect(task.status).toBe('completed');
    expectFirstStepKept(task);
    expect(task.steps[1]).toMatchObject({ agent: 'forker', success: true });
  });

  it('timeout: the step ends within its limit + 3 s as "timeout", the task fails, nothing is left', async () => {
    const s = setup(child, { hang: true, timeoutS: TIMEOUT_S });
    const run = startRun(s);
    await pidFrom(s.childPid);
    const since = performance.now();
    const { code } = await run.done;
    expect(performance.now() - since).toBeLessThan(STEP_END_BOUND_MS);
    expect(code, run.output().stderr).toBe(1);
    await expectNothingLeft(s);
    const task = await storedTask(s);
    expect(task.status).toBe('failed');
    expectFirstStepKept(task);
    expect(task.steps[1]).toMatchObject({ agent: 'forker', success: false, error: { kind: 'timeout' } });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s of the orchestrator: one signal cancels, exit 130, nothing is left', async (signal) => {
    const s = setup(child, { hang: true });
    const run = startRun(s);
    await pidFrom(s.childPid);
    const sent = performance.now();
    run.child.kill(signal);
    const { code } = await run.done;
    expect(performance.now() - sent).toBeLessThan(STEP_END_BOUND_MS);
    expect(code, run.output().stderr).toBe(130);
    await expectNothingLeft(s);
    const task = await storedTask(s);
    expect(task.status).toBe('cancelled');
    expectFirstStepKept(task);
  });

  it('kill -9 of the orchestrator: the next command marks the task interrupted and kills what it left', async () => {
    const s = setup(child, { hang: true });
    const run = startRun(s);
    const agent = await pidFrom(s.agentPid);
    const forked = await pidFrom(s.childPid);
    run.child.kill('SIGKILL');
    await run.done;
    const task = await storedTask(s);
    expect(task.status).toBe('interrupted');
    expectFirstStepKept(task);
    expect(await waitGone(agent)).toBe(true);
    expect(await waitGone(forked)).toBe(true);
  });
});
