import { describe, expect, it } from 'vitest';
import { answer, createFakeAdapter, failure, fakeResolver } from '../adapters/testing/fake-adapter.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { createAgentHealthStore } from '../resilience/agent-health-store.js';
import { openDatabase } from '../storage/database.js';
import { resolvePlan } from './plan.js';
import { parsePlanAnswer } from './planner.js';

const AGENTS = {
  codex: { type: 'generic', command: 'codex-fake', role: 'implementation' },
  gemini: { type: 'generic', command: 'gemini-fake', role: 'review' },
  claude: { type: 'generic', command: 'claude-fake', role: 'refinement' },
} as const;

function config(settings: ConfigInput['settings'] = {}, workflows: ConfigInput['workflows'] = {}) {
  return configSchema.parse({ agents: AGENTS, workflows, settings });
}

function team(plannerAnswer: string, planner = 'claude') {
  const adapters = ['codex', 'gemini', 'claude'].map((name) =>
    createFakeAdapter({ name, turns: name === planner ? [answer(plannerAnswer)] : [answer('ok')] }),
  );
  return { adapters, resolveAgent: fakeResolver(adapters) };
}

const base = { offline: false, task: 'Add pagination', cwd: '/tmp' };

describe('dynamic planner', () => {
  it('runs exactly the plan the planner agent answered (asking claude first, in the plan role)', async () => {
    const plan = JSON.stringify([
      { agent: 'gemini', role: 'implement', description: 'Write the code' },
      { agent: 'codex', role: 'review', description: 'Check it' },
      { agent: 'claude', role: 'document', description: 'Document it' },
    ]);
    const { adapters, resolveAgent } = team(`Here is the plan:\n\`\`\`json\n${plan}\n\`\`\``);
    const result = await resolvePlan({ ...base, config: config(), workflow: 'dynamic', resolveAgent });
    expect(result.steps.map((s) => [s.agent, s.role, s.description])).toEqual([
      ['gemini', 'implement', 'Write the code'],
      ['codex', 'review', 'Check it'],
      ['claude', 'document', 'Document it'],
    ]);
    expect(result.origin).toMatchObject({ source: 'planner', planner: 'claude', notes: [] });
    const claude = adapters.find((a) => a.name === 'claude');
    expect(claude?.calls).toHaveLength(1);
    expect(claude?.calls[0]?.role).toBe('plan');
    expect(claude?.calls[0]?.prompt).toContain('Add pagination');
  });

  it('falls back to implement → review when the answer is garbage, and says why', async () => {
    const { resolveAgent } = team('I would rather not.');
    const result = await resolvePlan({ ...base, config: config(), workflow: 'dynamic', resolveAgent });
    expect(result.steps.map((s) => [s.agent, s.role])).toEqual([
      ['codex', 'implement'],
      ['gemini', 'review'],
    ]);
    expect(result.origin?.source).toBe('fallback');
    expect(result.origin?.notes.join(' ')).toMatch(/not a plan/);
  });

  it('falls back when the planner agent fails, and also plans when no default workflow exists', async () => {
    const adapters = [
      createFakeAdapter({ name: 'codex' }),
      createFakeAdapter({ name: 'gemini' }),
      createFakeAdapter({ name: 'claude', turns: [failure('server', 'HTTP 500')] }),
    ];
    const result = await resolvePlan({ ...base, config: config(), workflow: 'default', resolveAgent: fakeResolver(adapters) });
    expect(result.workflow).toBe('dynamic');
    expect(result.origin).toMatchObject({ source: 'fallback', planner: 'claude' });
    expect(result.origin?.notes.join(' ')).toMatch(/claude failed: HTTP 500/);
  });

  it('never plans an agent whose recorded success rate is 0.4 over 10 calls', async () => {
    const store = createAgentHealthStore(openDatabase(':memory:'));
    for (let i = 0; i < 10; i += 1) {
      store.recordCall({ agent: 'codex', role: 'implement', outcome: i < 4 ? 'success' : 'failure', failureKind: i < 4 ? undefined : 'server', durationMs: 1 });
    }
    const health = (agent: string) => store.health(agent);
    // The planner proposes codex: it is replaced, with a note.
    const { resolveAgent } = team(JSON.stringify([{ agent: 'codex', role: 'implement' }, { agent: 'gemini', role: 'review' }]));
    const planned = await resolvePlan({ ...base, config: config(), workflow: 'dynamic', resolveAgent, health });
    expect(planned.steps.map((s) => s.agent)).not.toContain('codex');
    expect(planned.origin?.excluded).toEqual([{ agent: 'codex', reason: expect.stringMatching(/0\.40 over 10 calls/) }]);
    // The fallback plan does not use it either.
    const fallback = await resolvePlan({ ...base, config: config(), workflow: 'dynamic', resolveAgent: team('nope').resolveAgent, health });
    expect(fallback.steps.map((s) => s.agent)).not.toContain('codex');
    // Below min_calls the record does not count yet.
    const lenient = await resolvePlan({ ...base, config: config({ planner: { min_calls: 11 } }), workflow: 'dynamic', resolveAgent: team(JSON.stringify([{ agent: 'codex', role: 'implement' }])).resolveAgent, health });
    expect(lenient.steps.map((s) => s.agent)).toContain('codex');
  });

  it('repairs unknown agents, drops unknown roles, honours settings.planner.agent', async () => {
    const { adapters, resolveAgent } = team(
      JSON.stringify({ steps: [{ agent: 'mystery', task: 'review' }, { agent: 'codex', role: 'dance' }, { agent: 'codex', role: 'implementer' }] }),
      'gemini',
    );
    const result = await resolvePlan({ ...base, config: config({ planner: { agent: 'gemini' } }), workflow: 'dynamic', resolveAgent });
    expect(result.steps.map((s) => [s.agent, s.role])).toEqual([
      ['gemini', 'review'],
      ['codex', 'implement'],
    ]);
    expect(result.origin?.planner).toBe('gemini');
    expect(result.origin?.notes).toEqual([
      'step 1: agent "mystery" is not available, using gemini',
      'step 2 dropped: unknown role "dance"',
    ]);
    expect(adapters.find((a) => a.name === 'claude')?.calls).toHaveLength(0);
  });

  it('parses fenced, prose-wrapped and {steps} answers; refuses the rest', () => {
    expect(parsePlanAnswer('```json\n[{"agent":"a","role":"review"}]\n```')).toMatchObject({ ok: true });
    expect(parsePlanAnswer('Sure! [{"agent":"a","task":"implement"}] Good luck.')).toMatchObject({ ok: true });
    expect(parsePlanAnswer('{"steps":[{"agent":"a","role":"review"}]}')).toMatchObject({ ok: true });
    expect(parsePlanAnswer('[]')).toEqual({ ok: false, reason: 'an empty list' });
    expect(parsePlanAnswer('[1, 2')).toEqual({ ok: false, reason: 'invalid JSON' });
    expect(parsePlanAnswer('"steps"')).toEqual({ ok: false, reason: 'no JSON in the answer' });
    expect(parsePlanAnswer('[1, 2]')).toEqual({ ok: false, reason: 'not a list of steps' });
  });
});
