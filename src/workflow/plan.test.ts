import { describe, expect, it } from 'vitest';
import { answer, createFakeAdapter, failure, fakeResolver } from '../adapters/testing/fake-adapter.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { createOrchestratorBus } from '../events/events.js';
import { createEngine } from './engine.js';
import { resolvePlan } from './plan.js';

const AGENTS = {
  codex: { type: 'generic', command: 'codex-fake' },
  gemini: { type: 'generic', command: 'gemini-fake' },
  claude: { type: 'generic', command: 'claude-fake', enabled: false },
  'local-code': { type: 'generic', command: 'local-fake', offline: true },
} as const;

function config(workflows: ConfigInput['workflows'], settings: ConfigInput['settings'] = {}) {
  return configSchema.parse({ agents: AGENTS, workflows, settings });
}

const fakes = () => [
  createFakeAdapter({ name: 'codex' }),
  createFakeAdapter({ name: 'gemini' }),
  createFakeAdapter({ name: 'claude' }),
  createFakeAdapter({ name: 'local-code', local: true }),
];

describe('resolvePlan', () => {
  it('names an unknown workflow and the known ones in one line', async () => {
    const plan = resolvePlan({ config: config({ default: [{ agent: 'codex', task: 'implement' }] }), workflow: 'nope', offline: false, resolveAgent: fakeResolver(fakes()) });
    await expect(plan).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND', message: "Workflow 'nope' not found (available: default)" });
  });

  it('sends dynamic (and a missing default) to the planner, which needs the task text', async () => {
    const resolveAgent = fakeResolver(fakes());
    await expect(resolvePlan({ config: config({ quick: [{ agent: 'codex', task: 'implement' }] }), workflow: 'dynamic', offline: false, resolveAgent }))
      .rejects.toMatchObject({ message: 'the dynamic planner needs the task text' });
    const plan = await resolvePlan({ config: config({ quick: [{ agent: 'codex', task: 'implement' }] }), workflow: 'default', offline: false, resolveAgent, task: 't' });
    expect(plan.workflow).toBe('dynamic');
  });

  it('skips steps of disabled agents with the reason', async () => {
    const plan = await resolvePlan({
      config: config({ default: [{ agent: 'codex', task: 'implement' }, { agent: 'claude', task: 'refine' }] }),
      workflow: 'default',
      offline: false,
      resolveAgent: fakeResolver(fakes()),
    });
    expect(plan.steps.map((s) => s.agent)).toEqual(['codex']);
    expect(plan.skipped).toEqual([{ agent: 'claude', role: 'refine', reason: 'disabled' }]);
  });

  it('fails with one line when no step can run', async () => {
    const plan = resolvePlan({
      config: config({ default: [{ agent: 'claude', task: 'refine' }] }),
      workflow: 'default',
      offline: false,
      resolveAgent: fakeResolver(fakes()),
    });
    await expect(plan).rejects.toMatchObject({
      code: 'NO_AVAILABLE_AGENT',
      message: "Workflow 'default' has no executable steps (check agent availability/offline mode) — claude: disabled",
    });
  });

  it('keeps only local agents offline and switches default to offline-default', async () => {
    const cfg = config({
      default: [{ agent: 'codex', task: 'implement' }],
      'offline-default': { offline: true, steps: [{ agent: 'local-code', role: 'implementer' }, { agent: 'gemini', role: 'reviewer' }] },
    });
    const plan = await resolvePlan({ config: cfg, workflow: 'default', offline: true, resolveAgent: fakeResolver(fakes()) });
    expect(plan.workflow).toBe('offline-default');
    expect(plan.steps.map((s) => s.agent)).toEqual(['local-code']);
    expect(plan.skipped[0]).toMatchObject({ agent: 'gemini', reason: 'not a local agent (offline mode)' });
  });

  it('sends the step of an unavailable agent to its fallback, recorded as fallback_from', async () => {
    const cfg = config({ default: [{ agent: 'codex', task: 'implement' }] }, { fallback: { enabled: true, map: { codex: 'local-code' } } });
    const adapters = [
      createFakeAdapter({ name: 'codex', available: 'codex not found on PATH', turns: [failure('task_failed', 'must not run')] }),
      createFakeAdapter({ name: 'local-code', turns: [answer('local answer')] }),
    ];
    const resolveAgent = fakeResolver(adapters);
    const plan = await resolvePlan({ config: cfg, workflow: 'default', offline: false, resolveAgent });
    expect(plan.steps[0]).toMatchObject({ agent: 'codex', fallback: 'local-code', unavailable: 'not available (codex not found on PATH)' });
    const engine = createEngine({ resolveAgent, bus: createOrchestratorBus(), suggestionThreshold: 3, stopOnPlateau: false });
    const outcome = await engine.run({ taskId: 't', task: 'x', plan, cwd: process.cwd(), maxIterations: 1 });
    expect(outcome.steps[0]).toMatchObject({ agent: 'local-code', fallbackFrom: 'codex', success: true });
    expect(outcome.steps[0]?.primaryError?.kind).toBe('not_installed');
    expect(adapters[0]?.calls).toHaveLength(0);
  });

  it('drops a fallback that is not usable and skips an unavailable agent without one', async () => {
    const cfg = config({ default: [{ agent: 'codex', task: 'implement' }, { agent: 'gemini', task: 'review' }] }, { fallback: { enabled: true, map: { codex: 'claude' } } });
    const resolveAgent = fakeResolver([createFakeAdapter({ name: 'codex' }), createFakeAdapter({ name: 'gemini', available: false })]);
    const plan = await resolvePlan({ config: cfg, workflow: 'default', offline: false, resolveAgent });
    expect(plan.steps).toEqual([{ agent: 'codex', role: 'implement', description: '' }]);
    expect(plan.skipped).toEqual([{ agent: 'gemini', role: 'review', reason: 'not available (fake: unavailable)' }]);
  });
});
