import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllDatabases, openDatabase } from '../storage/database.js';
import { createAgentHealthStore, healthJson } from './agent-health-store.js';
import { createCircuitBreaker } from './circuit-breaker.js';

const dirs: string[] = [];
afterEach(() => {
  closeAllDatabases();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-health-'));
  dirs.push(dir);
  return path.join(dir, 'context.db');
}

describe('agent health store', () => {
  it('records calls and computes calls, success rate and the last failure kind', () => {
    const store = createAgentHealthStore(openDatabase(':memory:'));
    for (let i = 0; i < 4; i += 1) store.recordCall({ agent: 'codex', role: 'implement', outcome: i < 1 ? 'failure' : 'success', failureKind: i < 1 ? 'server' : undefined, durationMs: 100 });
    store.recordCall({ agent: 'codex', role: 'review', outcome: 'failure', failureKind: 'timeout', durationMs: 5, inputTokens: 10, outputTokens: 2, costUsd: 0.01 });
    store.recordCall({ agent: 'codex', role: 'review', outcome: 'skipped', failureKind: 'circuit_open', durationMs: 0 });
    const health = store.health('codex');
    expect(health).toMatchObject({ calls: 5, successes: 3, windowCalls: 5, lastFailureKind: 'timeout' });
    expect(health.successRate).toBeCloseTo(0.6);
    expect(healthJson(health)).toEqual({ calls: 5, success_rate: 0.6, last_failure_kind: 'timeout', circuit: 'closed', open_until: null });
    expect(healthJson(store.health('never-called'))).toEqual({ calls: 0, success_rate: null, last_failure_kind: null, circuit: 'closed', open_until: null });
  });

  it('aggregates calls by agent, role, outcome and kind with token and cost sums', () => {
    const store = createAgentHealthStore(openDatabase(':memory:'));
    store.recordCall({ agent: 'a', role: 'implement', outcome: 'success', durationMs: 1, inputTokens: 100, outputTokens: 10, costUsd: 0.5 });
    store.recordCall({ agent: 'a', role: 'implement', outcome: 'success', durationMs: 1, inputTokens: 50, outputTokens: 5, costUsd: 0.25 });
    store.recordCall({ agent: 'b', role: 'review', outcome: 'failure', failureKind: 'server', durationMs: 1 });
    expect(store.aggregates()).toEqual([
      { agent: 'a', role: 'implement', outcome: 'success', failureKind: null, calls: 2, inputTokens: 150, outputTokens: 15, costUsd: 0.75 },
      { agent: 'b', role: 'review', outcome: 'failure', failureKind: 'server', calls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    ]);
    expect(store.durations()).toHaveLength(3);
  });

  it('persists circuit state across reopenings of the database (separate CLI runs)', () => {
    const file = tempDb();
    const policy = { enabled: true, failureThreshold: 2, recoveryTimeoutMs: 60_000 };
    const first = createAgentHealthStore(openDatabase(file));
    const breaker = createCircuitBreaker({ agent: 'gemini', policy, store: first });
    breaker.record({ success: false, kind: 'server' });
    breaker.record({ success: false, kind: 'server' });
    closeAllDatabases();

    const second = createAgentHealthStore(openDatabase(file));
    const health = second.health('gemini');
    expect(health.circuit).toMatchObject({ state: 'open', consecutiveFailures: 2 });
    const json = healthJson(health);
    expect(json.circuit).toBe('open');
    expect(Date.parse(json.open_until ?? '')).toBeGreaterThan(Date.now());
    expect(createCircuitBreaker({ agent: 'gemini', policy, store: second }).admit().allowed).toBe(false);
    expect(second.allHealth().map((h) => h.agent)).toEqual(['gemini']);
    // an expired open circuit reads as half_open
    expect(healthJson(health, Date.now() + 61_000).circuit).toBe('half_open');
  });
});
