/**
 * The engine with an offline detector: a cloud agent's network failure marks the session
 * offline, and later cloud steps with a local fallback go straight to it (no second wait on an
 * unreachable provider). Proposed changes of local agents reach the step record.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answer, createFakeAdapter, failure, fakeResolver } from '../adapters/testing/fake-adapter.js';
import { configSchema } from '../config/schema.js';
import { createOrchestratorBus } from '../events/events.js';
import { createOfflineDetector } from '../resilience/offline-detector.js';
import { createEngine } from './engine.js';
import { resolvePlan } from './plan.js';
import { resolveTemplates } from './templates.js';

const config = configSchema.parse({
  agents: {
    codex: { type: 'generic', command: 'codex-fake' },
    claude: { type: 'generic', command: 'claude-fake' },
    'local-code': { type: 'generic', command: 'local-fake', offline: true },
    'local-instruct': { type: 'generic', command: 'local-fake', offline: true },
  },
  workflows: {
    hybrid: {
      steps: [
        { agent: 'codex', role: 'implement', fallback: 'local-code' },
        { agent: 'claude', role: 'review', fallback: 'local-instruct' },
      ],
    },
  },
});

async function run(withDetector: boolean) {
  const codex = createFakeAdapter({ name: 'codex', turns: [failure('network', 'Unable to connect to API (ConnectionRefused)')] });
  const claude = createFakeAdapter({ name: 'claude', turns: [answer('claude review')] });
  const proposal = [
    { type: 'text-delta' as const, text: '```ts path=a.ts\nx\n```' },
    { type: 'proposed-change' as const, path: 'a.ts', content: 'x\n', applied: false },
    { type: 'finish' as const, success: true },
  ];
  const localCode = createFakeAdapter({ name: 'local-code', local: true, turns: [proposal] });
  const localInstruct = createFakeAdapter({ name: 'local-instruct', local: true, turns: [answer('local review')] });
  const resolveAgent = fakeResolver([codex, claude, localCode, localInstruct]);
  const plan = await resolvePlan({ config, workflow: 'hybrid', offline: false, resolveAgent });
  const engine = createEngine({
    resolveAgent,
    bus: createOrchestratorBus(),
    templates: resolveTemplates({}),
    suggestionThreshold: 3,
    stopOnPlateau: false,
    ...(withDetector ? { offlineDetector: createOfflineDetector({ autoDetect: true, ttlSeconds: 60 }) } : {}),
  });
  const outcome = await engine.run({
    taskId: 't',
    task: 'Explain quicksort',
    plan,
    cwd: mkdtempSync(path.join(os.tmpdir(), 'aio-offline-engine-')),
    maxIterations: 1,
  });
  return { outcome, claude };
}

describe('engine with an offline detector', () => {
  it('after a cloud network failure, sends later cloud steps straight to their local fallback', async () => {
    const { outcome, claude } = await run(true);
    expect(outcome.success).toBe(true);
    expect(outcome.steps.map((s) => [s.agent, s.fallbackFrom])).toEqual([
      ['local-code', 'codex'],
      ['local-instruct', 'claude'],
    ]);
    expect(claude.calls).toHaveLength(0);
    expect(outcome.steps[1]?.primaryError).toMatchObject({ kind: 'network', message: expect.stringContaining('claude skipped: offline (codex: network failure)') });
    expect(outcome.steps[0]?.proposedChanges).toEqual([{ path: 'a.ts', content: 'x\n', applied: false }]);
  });

  it('without a detector the cloud agent is still tried', async () => {
    const { outcome, claude } = await run(false);
    expect(claude.calls).toHaveLength(1);
    expect(outcome.steps[1]?.agent).toBe('claude');
  });
});
