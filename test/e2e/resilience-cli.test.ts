/**
 * Resilience and observability through the real binary, across separate CLI processes sharing
 * one home: the circuit breaker persists and skips an agent without spawning it, the dynamic
 * planner runs what the planner agent answered and routes around unhealthy agents, `metrics`
 * counts the recorded calls, and a cost budget stops a task between steps.
 * Agents are fixture CLIs (test/fixtures/bin/fake-cli.mjs, fake-claude.mjs) — real processes.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { createAgentHealthStore } from '../../src/resilience/agent-health-store.js';
import { closeAllDatabases, openDatabase } from '../../src/storage/database.js';
import { createPlanStore } from '../../src/workflow/plan-store.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { parsePrometheus, samples } from '../helpers/prometheus.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const FAKE_CLAUDE = path.join(REPO_ROOT, 'test/fixtures/bin/fake-claude.mjs');
const REVIEW_OK = 'Looks complete.\n```json\n{"suggestions": []}\n```\n';

interface Env {
  readonly home: string;
  readonly work: string;
  readonly dir: string;
  readonly config: string;
  readonly env: Record<string, string>;
}

function environment(): Env {
  const dir = tempDir('aio-res-');
  const home = path.join(dir, 'home');
  const work = tempDir('aio-res-work-');
  return { dir, home, work, config: path.join(dir, 'agents.yaml'), env: { AI_ORCHESTRATOR_HOME: home } };
}

/** A generic fixture agent; `calls` names the file its stdin is written to (proof it ran). */
function fixture(e: Env, name: string, env: Record<string, string>): Record<string, unknown> {
  return { type: 'generic', command: FAKE_CLI, timeout: 60, env: { FAKE_STDIN_FILE: path.join(e.dir, `${name}.calls`), ...env } };
}
const ran = (e: Env, name: string): boolean => existsSync(path.join(e.dir, `${name}.calls`));
const forget = (e: Env, name: string): void => rmSync(path.join(e.dir, `${name}.calls`), { force: true });

function writeConfig(e: Env, config: Record<string, unknown>): void {
  writeFileSync(e.config, stringify(config));
}

const run = (e: Env, args: readonly string[]) =>
  runCli(['run', 'Build the thing', '--config', e.config, '--cwd', e.work, ...args], { env: e.env });

afterEach(() => closeAllDatabases());

const agentsJson = z.object({
  agents: z.array(
    z.object({
      name: z.string(),
      health: z.object({
        calls: z.number(),
        success_rate: z.number().nullable(),
        last_failure_kind: z.string().nullable(),
        circuit: z.enum(['closed', 'open', 'half_open']),
        open_until: z.string().nullable(),
      }),
    }),
  ),
});
const errorJson = z.object({ kind: z.string(), message: z.string() }).nullable();
const resultJson = z.object({
  task_id: z.string(),
  steps: z.array(
    z.object({ agent: z.string(), role: z.string(), success: z.boolean(), fallback_from: z.string().nullable(), primary_error: errorJson }),
  ),
  stop_reason: z.string(),
  reason: z.string(),
  usage: z.object({ cost_usd: z.number().nullable() }),
});
const doctorJson = z.object({
  live: z.boolean(),
  ready: z.boolean(),
  checks: z.array(z.object({ name: z.string(), status: z.string(), detail: z.string(), fix: z.string().optional() })),
});

async function agentHealth(e: Env, name: string) {
  const listed = agentsJson.parse(JSON.parse((await runCli(['agents', '--json', '--config', e.config], { env: e.env })).stdout));
  return listed.agents.find((a) => a.name === name)?.health;
}

describe('circuit breaker across CLI runs', () => {
  it('opens after 5 server errors, skips the agent without spawning it in the next run, then makes one trial call', async () => {
    const e = environment();
    const failing = { FAKE_STDERR: 'API error: 500 Internal Server Error', FAKE_EXIT: '1' };
    const step = { agent: 'flaky', role: 'implement', fallback: 'backup' };
    const config = (flakyEnv: Record<string, string>, recovery: number) => ({
      agents: { flaky: fixture(e, 'flaky', flakyEnv), backup: fixture(e, 'backup', { FAKE_STDOUT: 'backup did it' }) },
      workflows: { five: { steps: [step, step, step, step, step] }, quick: { steps: [step] } },
      settings: {
        max_iterations: 1,
        create_reports: false,
        resilience: { retry: { max_attempts: 1 }, circuit_breaker: { failure_threshold: 5, recovery_timeout: recovery } },
      },
    });
    writeConfig(e, config(failing, 60));

    // Run 1: five steps, each a server error on flaky, each rescued by backup → the circuit opens.
    const first = await run(e, ['--workflow', 'five', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(ran(e, 'flaky')).toBe(true);
    const flaky1 = await agentHealth(e, 'flaky');
    expect(flaky1).toMatchObject({ calls: 5, success_rate: 0, last_failure_kind: 'server', circuit: 'open' });
    expect(Date.parse(flaky1?.open_until ?? '')).toBeGreaterThan(Date.now());
    // The text table says the same as --json: calls, success rate, last failure, circuit.
    const table = (await runCli(['agents', '--config', e.config], { env: e.env })).stdout.split('\n');
    expect(table[0]).toMatch(/CALLS\s+SUCCESS\s+LAST FAILURE\s+CIRCUIT/);
    expect(table.find((line) => line.startsWith('flaky '))).toMatch(/\s5\s+0%\s+server\s+open until \d\d:\d\d:\d\d(\s|$)/);
    expect(table.find((line) => line.startsWith('backup '))).toMatch(/\s5\s+100%\s+-\s+closed(\s|$)/);

    // Run 2, a new process: flaky is not spawned, backup runs, and the step says why.
    forget(e, 'flaky');
    forget(e, 'backup');
    const second = await run(e, ['--workflow', 'quick', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(ran(e, 'flaky')).toBe(false);
    expect(ran(e, 'backup')).toBe(true);
    const result = resultJson.parse(JSON.parse(second.stdout));
    expect(result.steps[0]).toMatchObject({ agent: 'backup', fallback_from: 'flaky', primary_error: { kind: 'circuit_open' } });
    expect(result.steps[0]?.primary_error?.message).toMatch(/circuit open after 5 consecutive failures/);
    expect(second.stderr).toMatch(/fallback for flaky: circuit_open/);

    // The provider recovers; after the (now 1 s) recovery timeout one trial call is made and closes it.
    writeConfig(e, config({ FAKE_STDOUT: 'flaky is back' }, 1));
    await sleep(1200);
    const third = await run(e, ['--workflow', 'quick', '--json']);
    expect(third.code, third.stderr).toBe(0);
    expect(ran(e, 'flaky')).toBe(true);
    expect(resultJson.parse(JSON.parse(third.stdout)).steps[0]).toMatchObject({ agent: 'flaky', success: true, fallback_from: null });
    expect(await agentHealth(e, 'flaky')).toMatchObject({ calls: 6, circuit: 'closed', open_until: null });
  });
});

describe('dynamic planner through the CLI', () => {
  const team = (e: Env, plannerAnswer: string) => ({
    agents: {
      claude: fixture(e, 'claude', { FAKE_STDOUT: plannerAnswer }),
      worker: { ...fixture(e, 'worker', { FAKE_STDOUT: 'implemented it' }), role: 'implementer' },
      checker: { ...fixture(e, 'checker', { FAKE_STDOUT: REVIEW_OK }), role: 'reviewer' },
      shaky: fixture(e, 'shaky', { FAKE_STDOUT: 'shaky output' }),
    },
    workflows: { quick: [{ agent: 'worker', task: 'implement' }] },
    settings: { max_iterations: 1, create_reports: false },
  });

  /** shaky: 4 successes in 10 recorded calls (0.4), seeded through the store's API. */
  function seedShaky(e: Env): void {
    const store = createAgentHealthStore(openDatabase(path.join(e.home, 'context.db')));
    for (let i = 0; i < 10; i += 1) {
      store.recordCall({ agent: 'shaky', role: 'implement', outcome: i < 4 ? 'success' : 'failure', ...(i < 4 ? {} : { failureKind: 'server' as const }), durationMs: 10 });
    }
    closeAllDatabases();
  }

  it('runs exactly the plan the planner answered, and never plans an agent with a 0.4 success rate', async () => {
    const e = environment();
    seedShaky(e);
    const plan = [
      { agent: 'shaky', role: 'implement', description: 'Write the code' },
      { agent: 'worker', role: 'implement', description: 'Write more code' },
      { agent: 'checker', role: 'review', description: 'Review it' },
    ];
    writeConfig(e, team(e, JSON.stringify(plan)));
    const result = await run(e, ['--workflow', 'dynamic', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = resultJson.parse(JSON.parse(result.stdout));
    expect(json.steps.map((s) => `${s.agent}:${s.role}`)).toEqual([
      'worker:implement',
      'worker:implement',
      'checker:review',
    ]);
    expect(ran(e, 'shaky')).toBe(false);
    expect(readFileSync(path.join(e.dir, 'claude.calls'), 'utf8')).toContain('Build the thing');
    // The plan is shown before it runs, with what was excluded and repaired.
    expect(result.stderr).toMatch(/plan by claude/);
    expect(result.stderr).toMatch(/excluded shaky: success rate 0\.40 over 10 calls/);
    expect(result.stderr).toMatch(/step 1: agent "shaky" is not available, using worker/);
    // ...and stored with the task.
    const stored = createPlanStore(openDatabase(path.join(e.home, 'context.db'))).get(json.task_id);
    expect(stored).toMatchObject({ workflow: 'dynamic', source: 'planner', planner: 'claude', excluded: [{ agent: 'shaky' }] });
    expect(stored?.steps.map((s) => s.agent)).toEqual(['worker', 'worker', 'checker']);
    // ...and shown again by `tasks show`.
    const shown = await runCli(['tasks', 'show', json.task_id, '--config', e.config], { env: e.env });
    expect(shown.stdout).toMatch(/plan by claude/);
    expect(shown.stdout).toMatch(/excluded shaky/);
    const shownJson = JSON.parse((await runCli(['tasks', 'show', json.task_id, '--json', '--config', e.config], { env: e.env })).stdout) as {
      plan: { source: string; steps: { agent: string }[] } | null;
    };
    expect(shownJson.plan?.source).toBe('planner');
    expect(shownJson.plan?.steps.map((s) => s.agent)).toEqual(['worker', 'worker', 'checker']);
  });

  it('runs the fallback plan (implement → review) when the planner answers garbage', async () => {
    const e = environment();
    writeConfig(e, { ...team(e, 'I am not sure what you mean.'), settings: { max_iterations: 1, create_reports: false, planner: { agent: 'claude' } } });
    const result = await run(e, ['--workflow', 'dynamic', '--json']);
    const json = resultJson.parse(JSON.parse(result.stdout));
    expect(json.steps.map((s) => s.role)).toEqual(['implement', 'review']);
    expect(result.stderr).toMatch(/fallback plan/);
    expect(result.stderr).toMatch(/not a plan/);
  });
});

describe('metrics from the recorded history', () => {
  it('counts agent calls of two runs with their labels, in valid Prometheus text', async () => {
    const e = environment();
    writeConfig(e, {
      agents: { impl: fixture(e, 'impl', { FAKE_STDOUT: 'done' }), rev: fixture(e, 'rev', { FAKE_STDOUT: REVIEW_OK }) },
      workflows: { pair: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }] },
      settings: { max_iterations: 1, create_reports: false },
    });
    expect((await run(e, ['--workflow', 'pair'])).code).toBe(0);
    expect((await run(e, ['--workflow', 'pair'])).code).toBe(0);
    const metrics = await runCli(['metrics', '--config', e.config], { env: e.env });
    expect(metrics.code, metrics.stderr).toBe(0);
    const families = parsePrometheus(metrics.stdout);
    expect(samples(families, 'orchestrator_agent_calls_total')).toEqual([
      { labels: { agent: 'impl', role: 'implement', status: 'success' }, value: 2 },
      { labels: { agent: 'rev', role: 'review', status: 'success' }, value: 2 },
    ]);
    expect(samples(families, 'orchestrator_tasks_total')).toEqual([{ labels: { workflow: 'pair', status: 'completed' }, value: 2 }]);
    expect(families.map((f) => f.name)).toContain('process_resident_memory_bytes');
    // A one-shot command never sampled its event loop: no lag family (min 9223372036.85 s, mean NaN).
    expect(families.filter((f) => f.name.startsWith('nodejs_eventloop_lag'))).toEqual([]);
    const values = families.flatMap((f) => f.metrics.flatMap((m) => [m.value, m.sum, m.count, ...Object.values(m.buckets ?? {})]));
    expect(values.filter((v) => v !== undefined && !Number.isFinite(Number(v)))).toEqual([]);
  });
});

describe('cost budget', () => {
  it('--budget-usd 0.0001 stops a task after the first step of an agent that reports cost, and says why', async () => {
    const e = environment();
    writeConfig(e, {
      agents: { claude: { type: 'claude', command: FAKE_CLAUDE, timeout: 60, env: { FAKE_SCENARIO: 'success' } } },
      workflows: { twice: [{ agent: 'claude', task: 'implement' }, { agent: 'claude', task: 'review' }] },
      settings: { max_iterations: 1, create_reports: false },
    });
    const result = await run(e, ['--workflow', 'twice', '--budget-usd', '0.0001', '--json']);
    expect(result.code).toBe(1);
    const json = resultJson.parse(JSON.parse(result.stdout));
    expect(json.steps).toHaveLength(1);
    expect(json.stop_reason).toBe('budget');
    expect(json.reason).toMatch(/budget of \$0\.0001 spent \(\$0\.0012 so far\); stopped before step 2/);
    expect(json.usage.cost_usd).toBeCloseTo(0.0012);
    expect(result.stderr).toMatch(/budget/);
  });

  it('refuses a budget that is not a positive number', async () => {
    const e = environment();
    writeConfig(e, { agents: { impl: fixture(e, 'impl', {}) }, workflows: { quick: [{ agent: 'impl', task: 'implement' }] } });
    const result = await run(e, ['--workflow', 'quick', '--budget-usd', 'lots']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--budget-usd must be a positive number/);
  });
});

describe('doctor', () => {
  it('is ready with one usable agent and prints a fix per problem; exits 1 when nothing can run', async () => {
    const e = environment();
    writeConfig(e, {
      agents: {
        impl: fixture(e, 'impl', {}),
        claude: { type: 'claude', command: 'claude-not-installed-here' },
        'local-code': { type: 'ollama', endpoint: 'http://127.0.0.1:9', model: 'codellama:13b' },
      },
      workflows: { quick: [{ agent: 'impl', task: 'implement' }] },
    });
    const ready = await runCli(['doctor', '--json', '--config', e.config], { env: e.env });
    expect(ready.code, ready.stderr).toBe(0);
    const report = doctorJson.parse(JSON.parse(ready.stdout));
    expect(report).toMatchObject({ live: true, ready: true });
    const check = (name: string) => report.checks.find((c) => c.name === name);
    expect(check('database')?.status).toBe('pass');
    expect(check('agent:claude')).toMatchObject({ status: 'fail', fix: expect.stringContaining('@anthropic-ai/claude-code') });
    expect(check('agent:local-code')?.fix).toContain('ollama serve');

    writeConfig(e, { agents: { claude: { type: 'claude', command: 'claude-not-installed-here' } }, workflows: {} });
    const notReady = await runCli(['doctor', '--config', e.config], { env: e.env });
    expect(notReady.code).toBe(1);
    expect(notReady.stdout).toMatch(/FAIL agent:claude: claude-not-installed-here not found on PATH/);
    expect(notReady.stdout).toMatch(/fix: install it: npm install -g @anthropic-ai\/claude-code/);
    expect(notReady.stdout).toMatch(/not ready$/m);
  });
});
