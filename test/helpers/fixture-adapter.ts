/**
 * Runs one of the coding-CLI adapters against its fixture script (test/fixtures/bin/fake-<cli>.mjs),
 * which plays a scripted scenario (FAKE_SCENARIO) and can record its argv and stdin (FAKE_RECORD).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentSchema } from '../../src/config/schema.js';
import type { AdapterFactory } from '../../src/adapters/registry.js';
import { runAgent } from '../../src/adapters/run-agent.js';
import type { AgentResult } from '../../src/adapters/spec.js';
import type { Role } from '../../src/shared/roles.js';

export interface FixtureRunOptions {
  readonly role?: Role;
  readonly record?: string;
  readonly prompt?: string;
  readonly timeout?: number;
}

export function fixtureRunner(cli: 'claude' | 'codex' | 'gemini' | 'copilot', create: AdapterFactory) {
  const fixture = path.resolve(import.meta.dirname, `../fixtures/bin/fake-${cli}.mjs`);
  return (scenario: string, options: FixtureRunOptions = {}): { cwd: string; result: Promise<AgentResult> } => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), `aio-${cli}-`));
    const agent = agentSchema.parse({
      type: cli,
      command: fixture,
      env: { FAKE_SCENARIO: scenario, ...(options.record ? { FAKE_RECORD: options.record } : {}) },
      timeout: options.timeout ?? 30,
    });
    const request = { prompt: options.prompt ?? 'create hello.txt', role: options.role ?? 'implement', cwd };
    return { cwd, result: runAgent(create({ name: cli, agent }), request) };
  };
}
