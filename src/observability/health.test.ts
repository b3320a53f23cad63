import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { closeAllDatabases } from '../storage/database.js';
import { geminiAuthConfigured, liveness, readiness } from './health.js';

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
    expect(byName['agent:gemini']).toMatchObject({ status: 'warn', fix: expect.stringContaining('GEMINI_API_KEY') });
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

  it('finds Gemini auth in the environment, the agent env, or ~/.gemini/settings.json', () => {
    const home = temp();
    expect(geminiAuthConfigured({ env: {} }, { HOME: home })).toBe(false);
    expect(geminiAuthConfigured({ env: {} }, { HOME: home, GEMINI_API_KEY: 'k' })).toBe(true);
    expect(geminiAuthConfigured({ env: { GEMINI_API_KEY: '${MY_KEY}' } }, { HOME: home })).toBe(true);
    mkdirSync(path.join(home, '.gemini'));
    writeFileSync(path.join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'oauth-personal' } } }));
    expect(geminiAuthConfigured({ env: {} }, { HOME: home })).toBe(true);
  });
});
