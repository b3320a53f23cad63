import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answer, createFakeAdapter, failure, fakeResolver, hang, type FakeAdapter } from '../adapters/testing/fake-adapter.js';
import { parseConfigText } from '../config/load.js';
import { configSchema, type ConfigInput, type OrchestratorConfig } from '../config/schema.js';
import { createOrchestratorBus, orchestratorEventSchema, type OrchestratorEvent } from '../events/events.js';
import { createEngine, type TaskOutcome } from './engine.js';
import { resolvePlan } from './plan.js';
import { resolveTemplates } from './templates.js';

const AGENTS = {
  codex: { type: 'generic', command: 'codex-fake' },
  gemini: { type: 'generic', command: 'gemini-fake' },
  claude: { type: 'generic', command: 'claude-fake' },
  'local-code': { type: 'generic', command: 'local-fake', offline: true },
} as const;

const DEFAULT_WORKFLOW = [
  { agent: 'codex', task: 'implement' },
  { agent: 'gemini', task: 'review' },
  { agent: 'claude', task: 'refine' },
];

function makeConfig(settings: ConfigInput['settings'] = {}, workflows: ConfigInput['workflows'] = { default: DEFAULT_WORKFLOW }): OrchestratorConfig {
  return configSchema.parse({ agents: AGENTS, workflows, settings });
}

function numbered(count: number): string {
  return ['Review:', ...Array.from({ length: count }, (_, i) => `${i + 1}. fix problem ${i + 1}`)].join('\n');
}

interface Harness {
  readonly outcome: TaskOutcome;
  readonly events: OrchestratorEvent[];
}

async function runTask(
  config: OrchestratorConfig,
  fakes: FakeAdapter[],
  options: { workflow?: string; maxIterations?: number; memoryBlock?: string; signal?: AbortSignal; onEvent?: (e: OrchestratorEvent) => void } = {},
): Promise<Harness> {
  const bus = createOrchestratorBus({ onListenerError: (error) => { throw error; } });
  const events: OrchestratorEvent[] = [];
  bus.subscribeAll((event) => {
    events.push(event);
    options.onEvent?.(event);
  });
  const resolveAgent = fakeResolver(fakes);
  const plan = await resolvePlan({ config, workflow: options.workflow ?? 'default', offline: false, resolveAgent });
  const engine = createEngine({
    resolveAgent,
    bus,
    templates: resolveTemplates(config.settings.templates),
    suggestionThreshold: config.settings.min_suggestions_threshold,
    stopOnPlateau: config.settings.stop_on_plateau,
  });
  const outcome = await engine.run({
    taskId: 'task-1',
    task: 'Implement a REST API for user management',
    plan,
    cwd: mkdtempSync(path.join(os.tmpdir(), 'aio-engine-')),
    maxIterations: options.maxIterations ?? config.settings.max_iterations,
    projectId: 'project-a',
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.memoryBlock ? { memoryBlock: options.memoryBlock } : {}),
  });
  return { outcome, events };
}

describe('the engine with fake agents', () => {
  it('runs implement → review → refine until the review converges (5 suggestions, then 1)', async () => {
    const codex = createFakeAdapter({ name: 'codex', turns: [answer('implemented v1'), answer('implemented v2')] });
    const gemini = createFakeAdapter({ name: 'gemini', turns: [answer(numbered(5)), answer(numbered(1))] });
    const claude = createFakeAdapter({ name: 'claude', turns: [answer('refined v1'), answer('refined v2 — final')] });
    const { outcome } = await runTask(makeConfig(), [codex, gemini, claude]);

    expect(outcome.success).toBe(true);
    expect(outcome.status).toBe('completed');
    expect(outcome.iterations).toBe(2);
    expect(outcome.steps).toHaveLength(6);
    expect(outcome.steps.map((s) => `${s.iteration}:${s.agent}:${s.role}`)).toEqual([
      '1:codex:implement', '1:gemini:review', '1:claude:refine',
      '2:codex:implement', '2:gemini:review', '2:claude:refine',
    ]);
    expect(outcome.finalOutput).toBe('refined v2 — final');
    expect(outcome.stopReason).toBe('converged');
    expect(outcome.convergence.map((c) => c.suggestionCount)).toEqual([5, 1]);
    expect(outcome.steps[1]?.suggestions).toHaveLength(5);

    // Context passing: the reviewer sees the implementation, the refiner the review,
    // and the next iteration's implementer the last review.
    expect(gemini.calls[0]?.prompt).toContain('implemented v1');
    expect(gemini.calls[0]?.prompt).toContain('"suggestions"');
    expect(claude.calls[0]?.prompt).toContain('5. fix problem 5');
    expect(codex.calls[0]?.prompt).not.toContain('fix problem');
    expect(codex.calls[1]?.prompt).toContain('5. fix problem 5');
    expect(codex.calls[1]?.prompt).toContain('iteration 2 of 3');
  });

  it('with threshold 0 and a reviewer that always finds 2, runs exactly max_iterations and says so', async () => {
    const fakes = [
      createFakeAdapter({ name: 'codex' }),
      createFakeAdapter({ name: 'gemini', turns: [answer(numbered(2))] }),
      createFakeAdapter({ name: 'claude', turns: [answer('refined')] }),
    ];
    const { outcome } = await runTask(makeConfig({ min_suggestions_threshold: 0, max_iterations: 4 }), fakes);
    expect(outcome.iterations).toBe(4);
    expect(outcome.steps).toHaveLength(12);
    expect(outcome.stopReason).toBe('max_iterations');
    expect(outcome.reason).toContain('max_iterations (4)');
    expect(outcome.convergence.map((c) => c.suggestionCount)).toEqual([2, 2, 2, 2]);
    expect(outcome.convergence.at(-1)?.stop?.reason).toBe('max_iterations');
  });

  it('with stop_on_plateau stops after the second iteration when the count stops falling', async () => {
    const fakes = [
      createFakeAdapter({ name: 'codex' }),
      createFakeAdapter({ name: 'gemini', turns: [answer(numbered(2))] }),
      createFakeAdapter({ name: 'claude' }),
    ];
    const { outcome } = await runTask(makeConfig({ min_suggestions_threshold: 0, stop_on_plateau: true, max_iterations: 5 }), fakes);
    expect(outcome.iterations).toBe(2);
    expect(outcome.stopReason).toBe('plateau');
    expect(outcome.reason).toMatch(/stopped falling: 2 in iteration 1, 2 in iteration 2/);
  });

  it('falls back to the mapped agent when the implementer fails with a server error', async () => {
    const fakes = [
      createFakeAdapter({ name: 'codex', turns: [failure('server', 'provider answered 503 Service Unavailable')] }),
      createFakeAdapter({ name: 'local-code', turns: [answer('implemented locally')] }),
      createFakeAdapter({ name: 'gemini', turns: [answer('Looks good.\n```json\n{"suggestions": []}\n```')] }),
      createFakeAdapter({ name: 'claude', turns: [answer('refined')] }),
    ];
    const { outcome, events } = await runTask(makeConfig({ fallback: { enabled: true, map: { codex: 'local-code' } } }), fakes);
    expect(outcome.success).toBe(true);
    const implement = outcome.steps[0];
    expect(implement).toMatchObject({ agent: 'local-code', fallbackFrom: 'codex', success: true, output: 'implemented locally' });
    expect(implement?.primaryError?.kind).toBe('server');
    expect(fakes[1]?.calls).toHaveLength(1);
    expect(events.filter((e) => e.type === 'step.started' && e.fallbackFrom === 'codex')).toHaveLength(1);
  });

  it('prefers an explicit step fallback over the settings map', async () => {
    const config = makeConfig(
      { fallback: { enabled: true, map: { codex: 'claude' } } },
      { only: { steps: [{ agent: 'codex', role: 'implement', fallback: 'local-code' }] } },
    );
    const fakes = [
      createFakeAdapter({ name: 'codex', turns: [failure('rate_limit', '429 Too Many Requests')] }),
      createFakeAdapter({ name: 'local-code', turns: [answer('done')] }),
      createFakeAdapter({ name: 'claude' }),
    ];
    const { outcome } = await runTask(config, fakes, { workflow: 'only' });
    expect(outcome.steps[0]).toMatchObject({ agent: 'local-code', fallbackFrom: 'codex' });
    expect(fakes[2]?.calls).toHaveLength(0);
  });

  it('does not fall back on an auth failure: the task fails with the error', async () => {
    const fakes = [
      createFakeAdapter({ name: 'codex', turns: [failure('auth', '401 Unauthorized: invalid API key')] }),
      createFakeAdapter({ name: 'local-code' }),
      createFakeAdapter({ name: 'gemini' }),
      createFakeAdapter({ name: 'claude' }),
    ];
    const { outcome } = await runTask(makeConfig({ fallback: { enabled: true, map: { codex: 'local-code' } } }), fakes);
    expect(outcome.success).toBe(false);
    expect(outcome.status).toBe('failed');
    expect(outcome.stopReason).toBe('failed');
    expect(outcome.reason).toBe('step 1 (codex implement) failed [auth]: 401 Unauthorized: invalid API key');
    expect(outcome.steps).toHaveLength(1);
    expect(outcome.steps[0]?.fallbackFrom).toBeUndefined();
    expect(fakes[1]?.calls).toHaveLength(0);
    expect(fakes[2]?.calls).toHaveLength(0);
  });

  it('does not fall back when fallback is disabled', async () => {
    const fakes = [
      createFakeAdapter({ name: 'codex', turns: [failure('server', '500')] }),
      createFakeAdapter({ name: 'local-code' }),
      createFakeAdapter({ name: 'gemini' }),
      createFakeAdapter({ name: 'claude' }),
    ];
    const { outcome } = await runTask(makeConfig({ fallback: { enabled: false, map: { codex: 'local-code' } } }), fakes);
    expect(outcome.status).toBe('failed');
    expect(fakes[1]?.calls).toHaveLength(0);
  });

  it('reports both errors when the primary and its fallback fail', async () => {
    const fakes = [
      createFakeAdapter({ name: 'codex', turns: [failure('server', 'codex: 502 Bad Gateway')] }),
      createFakeAdapter({ name: 'local-code', turns: [failure('network', 'local: ECONNREFUSED 127.0.0.1:11434')] }),
      createFakeAdapter({ name: 'gemini' }),
      createFakeAdapter({ name: 'claude' }),
    ];
    const { outcome } = await runTask(makeConfig({ fallback: { enabled: true, map: { codex: 'local-code' } } }), fakes);
    expect(outcome.status).toBe('failed');
    const step = outcome.steps[0];
    expect(step?.fallbackFrom).toBe('codex');
    expect(step?.error?.message).toContain('codex: 502 Bad Gateway');
    expect(step?.error?.message).toContain('local: ECONNREFUSED 127.0.0.1:11434');
    expect(outcome.reason).toContain('codex: 502 Bad Gateway');
    expect(outcome.reason).toContain('ECONNREFUSED');
  });

  it('uses the prompt templates of the config', async () => {
    const config = parseConfigText(
      [
        'agents:',
        '  codex: {type: generic, command: codex-fake}',
        'workflows:',
        '  quick: [{agent: codex, task: implement}]',
        'settings:',
        '  templates:',
        '    implement: "CUSTOM build {task}{{#feedback}} / fix: {feedback}{{/feedback}}"',
      ].join('\n'),
      'agents.yaml',
    );
    const codex = createFakeAdapter({ name: 'codex' });
    const { outcome } = await runTask(config, [codex], { workflow: 'quick' });
    expect(outcome.success).toBe(true);
    expect(codex.calls[0]?.prompt).toBe('CUSTOM build Implement a REST API for user management');
  });

  it('publishes a schema-valid event stream for every stage of the task', async () => {
    const fakes = [createFakeAdapter({ name: 'codex' }), createFakeAdapter({ name: 'gemini' }), createFakeAdapter({ name: 'claude' })];
    const { events } = await runTask(makeConfig(), fakes);
    for (const event of events) expect(orchestratorEventSchema.safeParse(event).success).toBe(true);
    const types = events.map((e) => e.type).filter((t) => t !== 'step.output');
    expect(types).toEqual([
      'task.started',
      'step.started', 'step.finished',
      'step.started', 'step.finished',
      'step.started', 'step.finished',
      'iteration.finished',
      'task.finished',
    ]);
    expect(events.every((e) => e.taskId === 'task-1' && !Number.isNaN(Date.parse(e.timestamp)))).toBe(true);
    expect(events.some((e) => e.type === 'step.output' && e.event.type === 'text-delta')).toBe(true);
    const finished = events.at(-1);
    expect(finished).toMatchObject({ type: 'task.finished', status: 'completed', stopReason: 'converged' });
  });

  it('stops a hanging step when the signal aborts and reports the task cancelled', async () => {
    const controller = new AbortController();
    const fakes = [createFakeAdapter({ name: 'codex', turns: [hang] }), createFakeAdapter({ name: 'gemini' }), createFakeAdapter({ name: 'claude' })];
    const { outcome } = await runTask(makeConfig(), fakes, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step.started') setTimeout(() => controller.abort(), 10);
      },
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.stopReason).toBe('cancelled');
    expect(outcome.success).toBe(false);
    expect(fakes[1]?.calls).toHaveLength(0);
  });

  it('puts the memory block it is given into the prompts', async () => {
    const fakes = [createFakeAdapter({ name: 'codex' }), createFakeAdapter({ name: 'gemini' }), createFakeAdapter({ name: 'claude', turns: [answer('final')] })];
    await runTask(makeConfig(), fakes, { memoryBlock: 'Earlier: the users table has an email column.' });
    expect(fakes[0]?.calls[0]?.prompt).toContain('the users table has an email column');
  });

  it('stops before a step the budget guard refuses', async () => {
    const fakes = [createFakeAdapter({ name: 'codex' }), createFakeAdapter({ name: 'gemini' }), createFakeAdapter({ name: 'claude' })];
    const bus = createOrchestratorBus();
    const resolveAgent = fakeResolver(fakes);
    const config = makeConfig();
    const plan = await resolvePlan({ config, workflow: 'default', offline: false, resolveAgent });
    const engine = createEngine({
      resolveAgent,
      bus,
      suggestionThreshold: 3,
      stopOnPlateau: false,
      budget: { beforeStep: ({ index }) => (index < 1 ? { ok: true } : { ok: false, reason: 'budget of $0.01 spent' }) },
    });
    const outcome = await engine.run({ taskId: 't', task: 'x', plan, cwd: os.tmpdir(), maxIterations: 3 });
    expect(outcome).toMatchObject({ stopReason: 'budget', status: 'failed', reason: 'budget of $0.01 spent' });
    expect(outcome.steps).toHaveLength(1);
  });

  it('redacts secrets from stored output and streamed events', async () => {
    const secret = 'sk-ant-abcdefghijklmnopqrstuvwx';
    const fakes = [createFakeAdapter({ name: 'codex', turns: [answer(`key is ${secret}`)] })];
    const config = makeConfig({}, { quick: [{ agent: 'codex', task: 'implement' }] });
    const { outcome, events } = await runTask(config, fakes, { workflow: 'quick' });
    expect(outcome.finalOutput).toBe('key is [REDACTED]');
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});
