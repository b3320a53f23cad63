import { describe, expect, it } from 'vitest';
import { parsePrometheus, samples } from '../../test/helpers/prometheus.js';
import { createOrchestratorBus, type StepRecord } from '../events/events.js';
import { createAgentHealthStore } from '../resilience/agent-health-store.js';
import { openDatabase } from '../storage/database.js';
import { METRIC_DEFINITIONS, createMetrics, loadPersistedRecords, observeEvents } from './metrics.js';

const stamp = '2026-01-01T00:00:00.000Z';
function step(fields: Partial<StepRecord>): StepRecord {
  return {
    iteration: 1,
    index: 0,
    agent: 'codex',
    role: 'implement',
    success: true,
    output: 'ok',
    suggestions: [],
    filesModified: [],
    durationMs: 1500,
    usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.01 },
    startedAt: stamp,
    finishedAt: stamp,
    ...fields,
  };
}

describe('metrics', () => {
  it('defines every metric once, with the orchestrator_ prefix', async () => {
    const names = Object.values(METRIC_DEFINITIONS).map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    const text = await createMetrics().exposition();
    for (const name of names) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('process_cpu_user_seconds_total'); // Node default metrics
  });

  it('is fed from the engine events, including a circuit-open skip before a fallback', async () => {
    const bus = createOrchestratorBus();
    const metrics = createMetrics({ defaultMetrics: false });
    const controller = new AbortController();
    observeEvents(bus, metrics, { signal: controller.signal });
    bus.publish({ type: 'task.started', taskId: 't1', timestamp: stamp, task: 'x', workflow: 'default', maxIterations: 2, cwd: '/', steps: [], skipped: [] });
    bus.publish({ type: 'step.finished', taskId: 't1', timestamp: stamp, step: step({}) });
    bus.publish({
      type: 'step.finished',
      taskId: 't1',
      timestamp: stamp,
      step: step({ agent: 'claude', role: 'review', fallbackFrom: 'gemini', primaryError: { kind: 'circuit_open', message: 'open' }, suggestions: ['a', 'b'] }),
    });
    bus.publish({ type: 'task.finished', taskId: 't1', timestamp: stamp, status: 'completed', success: true, stopReason: 'converged', reason: 'ok', iterations: 1, finalOutput: '', durationMs: 1, usage: { inputTokens: 0, outputTokens: 0 } });
    controller.abort();
    bus.publish({ type: 'step.finished', taskId: 't1', timestamp: stamp, step: step({}) }); // after unsubscribing: not counted

    const families = parsePrometheus(await metrics.exposition());
    expect(samples(families, 'orchestrator_agent_calls_total')).toEqual([
      { labels: { agent: 'codex', role: 'implement', status: 'success' }, value: 1 },
      { labels: { agent: 'gemini', role: 'review', status: 'skipped' }, value: 1 },
      { labels: { agent: 'claude', role: 'review', status: 'success' }, value: 1 },
    ]);
    expect(samples(families, 'orchestrator_tasks_total')).toEqual([{ labels: { workflow: 'default', status: 'completed' }, value: 1 }]);
    expect(samples(families, 'orchestrator_agent_tokens_total')).toContainEqual({ labels: { agent: 'codex', direction: 'input' }, value: 100 });
    expect(samples(families, 'orchestrator_review_suggestions')).toEqual([{ labels: {}, value: 1 }]);
  });

  it('is rebuilt from the persisted records: calls, failures, cost, circuits, tasks', async () => {
    const store = createAgentHealthStore(openDatabase(':memory:'));
    store.recordCall({ agent: 'codex', role: 'implement', outcome: 'success', durationMs: 2000, inputTokens: 10, outputTokens: 5, costUsd: 0.5 });
    store.recordCall({ agent: 'codex', role: 'implement', outcome: 'failure', failureKind: 'server', durationMs: 100 });
    store.recordCall({ agent: 'codex', role: 'implement', outcome: 'failure', failureKind: 'server', durationMs: 100 });
    store.saveCircuit('codex', { state: 'open', consecutiveFailures: 5, openedAt: 0, openUntil: Date.now() + 60_000 });
    const metrics = createMetrics({ defaultMetrics: false });
    loadPersistedRecords(metrics, {
      health: store,
      tasks: [{ workflow: 'quick', status: 'failed', iterations: 1, reviewSuggestions: [4] }],
    });
    const text = await metrics.exposition();
    const families = parsePrometheus(text);
    expect(samples(families, 'orchestrator_agent_calls_total')).toEqual([
      { labels: { agent: 'codex', role: 'implement', status: 'failure' }, value: 2 },
      { labels: { agent: 'codex', role: 'implement', status: 'success' }, value: 1 },
    ]);
    expect(samples(families, 'orchestrator_agent_failures_total')).toEqual([{ labels: { agent: 'codex', kind: 'server' }, value: 2 }]);
    expect(samples(families, 'orchestrator_agent_cost_usd_total')).toEqual([{ labels: { agent: 'codex' }, value: 0.5 }]);
    expect(samples(families, 'orchestrator_circuit_state')).toEqual([{ labels: { agent: 'codex' }, value: 2 }]);
    // (the parser drops the labels of labelled histograms, so this one is read from the text)
    expect(text).toContain('orchestrator_agent_call_duration_seconds_count{agent="codex",role="implement"} 3');
    expect(text).toContain('orchestrator_agent_call_duration_seconds_sum{agent="codex",role="implement"} 2.2');
    expect(samples(families, 'orchestrator_tasks_total')).toEqual([{ labels: { workflow: 'quick', status: 'failed' }, value: 1 }]);
  });
});
