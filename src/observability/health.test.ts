import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { createAgentHealthStore } from '../resilience/agent-health-store.js';
import { closeAllDatabases, databasePath, openDatabase } from '../storage/database.js';
import { liveness, readiness } from './health.js';

const dirs: string[] = [];
afterEach(() => {
  closeAllDatabases();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-health-'));
  dirs.push(dir);
  return dir;
}

/** A directory for PATH holding executables with these names. */
function binDir(names: readonly string[]): string {
  const dir = temp();
  for (const name of names) {
    writeFileSync(path.join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

const loaded = (agents: ConfigInput['agents']) => () => ({
  config: configSchema.parse({ agents }),
  source: { kind: 'flag' as const, path: '/x/agents.yaml' },
});

describe('health', () => {
  it('is live', () => {
    expect(liveness()).toMatchObject({ status: 'ok', pid: process.pid });
  });

  it('is ready with one available agent, and gives a fix hint for each missing one', async () => {
    const home = temp();
    const report = await readiness({
      home,
      env: { PATH: binDir(['gemini']), HOME: temp() },
      loadConfig: loaded({
        claude: { type: 'claude' },
        codex: { type: 'cli', command: 'codex' },
        gemini: { type: 'gemini' },
        copilot: { type: 'copilot', enabled: false },
        'local-code': { type: 'ollama', endpoint: 'http://127.0.0.1:9', model: 'codellama:13b' },
      }),
      timeoutMs: 500,
    });
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(report.ready).toBe(true);
    expect(byName['config']?.status).toBe('pass');
    expect(byName['database']).toMatchObject({ status: 'pass', detail: `${path.join(home, 'context.db')} is writable` });
    expect(byName['agent:claude']).toMatchObject({ status: 'fail', fix: expect.stringContaining('npm install -g @anthropic-ai/claude-code') });
    expect(byName['agent:codex']?.fix).toContain('@openai/codex');
    expect(byName['agent:gemini']?.status).toBe('pass');
    expect(byName['credentials:gemini']).toMatchObject({ status: 'warn', fix: expect.stringContaining('GEMINI_API_KEY') });
    expect(byName['agent:local-code']).toMatchObject({ status: 'fail', fix: expect.stringContaining('ollama serve') });
    expect(byName['agent:copilot']).toBeUndefined(); // disabled agents are not checked
    expect(byName['agents']).toMatchObject({ status: 'pass', detail: '1 of 4 enabled agents available' });
  });

  it('is not ready when no agent can run, the config is invalid, or the database is not writable', async () => {
    const none = await readiness({ home: temp(), env: { PATH: '' }, loadConfig: loaded({ codex: { type: 'codex' } }) });
    expect(none.ready).toBe(false);
    expect(none.checks.find((c) => c.name === 'agents')).toMatchObject({ status: 'fail', detail: 'no enabled agent is available here' });

    const invalid = await readiness({
      home: temp(),
      loadConfig: () => {
        throw new ConfigError([{ file: 'a.yaml', line: 3, column: 5, message: 'bad' }]);
      },
    });
    expect(invalid.ready).toBe(false);
    expect(invalid.checks[0]).toMatchObject({ name: 'config', status: 'fail', detail: 'a.yaml:3:5 bad' });

    const blocked = temp();
    writeFileSync(path.join(blocked, 'home'), 'a file where the home directory should be');
    const noDb = await readiness({ home: path.join(blocked, 'home'), env: { PATH: binDir(['codex']) }, loadConfig: loaded({ codex: { type: 'codex' } }) });
    expect(noDb.ready).toBe(false);
    expect(noDb.checks.find((c) => c.name === 'database')).toMatchObject({ status: 'fail', fix: expect.stringContaining('AI_ORCHESTRATOR_HOME') });
  });

  it('shows auth failures recorded since an agent last succeeded, with the fix, even when its key is set', async () => {
    const home = temp();
    const store = createAgentHealthStore(openDatabase(databasePath(home)));
    store.recordCall({ agent: 'codex', role: 'implement', outcome: 'success', durationMs: 5, startedAt: new Date('2025-01-01T10:00:00Z') });
    store.recordCall({ agent: 'codex', role: 'implement', outcome: 'failure', failureKind: 'auth', durationMs: 5, taskId: 'aaaa1111bbbb', startedAt: new Date('2025-01-02T10:00:00Z') });
    store.recordCall({ agent: 'codex', role: 'review', outcome: 'failure', failureKind: 'auth', durationMs: 5, taskId: 'cccc2222dddd', startedAt: new Date('2025-01-03T10:00:00Z') });
    store.recordCall({ agent: 'claude', role: 'review', outcome: 'failure', failureKind: 'auth', durationMs: 5, startedAt: new Date('2025-01-01T10:00:00Z') });
    store.recordCall({ agent: 'claude', role: 'review', outcome: 'success', durationMs: 5, startedAt: new Date('2025-01-02T10:00:00Z') });
    const report = await readiness({
      home,
      env: { PATH: binDir(['codex', 'claude']), HOME: temp(), OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test' },
      loadConfig: loaded({ codex: { type: 'codex' }, claude: { type: 'claude' } }),
    });
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['credentials:codex']).toEqual({
      name: 'credentials:codex',
      status: 'warn',
      detail: 'OPENAI_API_KEY is set, but 2 auth failures since its last success, the last at 2025-01-03T10:00:00.000Z (task cccc2222)',
      fix: 'run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env',
    });
    // Claude succeeded after its auth failure: that one is behind it.
    expect(byName['credentials:claude']).toEqual({ name: 'credentials:claude', status: 'pass', detail: 'ANTHROPIC_API_KEY is set' });
    expect(report.ready).toBe(true);
  });
});
