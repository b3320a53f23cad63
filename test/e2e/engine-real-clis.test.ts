/**
 * Issue 4 acceptance with the real coding CLIs: `ai-orchestrator run --workflow default` drives
 * codex (implement) → gemini (review) → claude (refine) from node_modules/.bin against the fake
 * provider on 127.0.0.1. The script branches on content, not on request order: the reviewer
 * answers 5 numbered suggestions to the first implementation and 1 to the second.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startFakeProvider, type FakeProvider, type ProviderRequest, type Reply } from '../fake-provider/index.js';
import { runCli } from '../helpers/cli.js';
import { realCliSetup, type RealCliSetup } from '../helpers/real-clis.js';

const FIVE = [
  'The implementation needs work:',
  '1. Validate the email field',
  '2. Hash passwords before storing them',
  '3. Return 404 for unknown users',
  '4. Add pagination to the list endpoint',
  '5. Write tests for the handlers',
].join('\n');
const ONE = 'Almost there:\n1. Add a trailing newline check';

const providers: FakeProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

function withWorkflow(setup: RealCliSetup, settings: Record<string, unknown> = {}): void {
  const config = parse(readFileSync(setup.config, 'utf8')) as Record<string, unknown>;
  config['workflows'] = {
    default: [
      { agent: 'codex', task: 'implement' },
      { agent: 'gemini', task: 'review' },
      { agent: 'claude', task: 'refine' },
    ],
  };
  config['settings'] = { max_iterations: 3, fallback: { enabled: true, map: {} }, ...settings };
  writeFileSync(setup.config, stringify(config));
}

interface RunJson {
  task_id: string;
  success: boolean;
  iterations: number;
  steps: { iteration: number; agent: string; role: string; success: boolean; fallback_from: string | null; suggestions: string[]; files_modified: string[]; error: { kind: string; message: string } | null; usage: { input_tokens: number } }[];
  final_output: string;
  convergence: { suggestions: number }[];
  stop_reason: string;
  reason: string;
}

async function run(setup: RealCliSetup, task: string): Promise<{ json: RunJson; code: number | null; stderr: string }> {
  const result = await runCli(['run', task, '--json', '--config', setup.config, '--cwd', setup.work], {
    cwd: setup.work,
    env: { AI_ORCHESTRATOR_HOME: setup.home },
    timeoutMs: 280_000,
  });
  try {
    return { json: JSON.parse(result.stdout) as RunJson, code: result.code, stderr: result.stderr };
  } catch {
    throw new Error(`run printed no JSON (exit ${String(result.code)}):\n${result.stdout}\n${result.stderr.slice(-4000)}`);
  }
}

describe.concurrent('run with the real CLIs against the fake provider', () => {
  it('implement → review → refine converges in 2 iterations: 6 steps, the file exists, final output = refine answer', { timeout: 300_000 }, async () => {
    const fake = await startFakeProvider();
    providers.push(fake);
    const setup = realCliSetup(fake.url);
    withWorkflow(setup);
    fake.setScript((request: ProviderRequest): Reply => {
      const second = request.userText.includes('iteration 2 of');
      switch (request.api) {
        case 'openai-responses': // codex implements: writes a file, then answers
          return request.toolResults === 0
            ? { type: 'write-file', path: path.join(setup.work, second ? 'users-v2.ts' : 'users.ts'), content: 'export const users = [];\n' }
            : { type: 'text', text: second ? 'implemented v2 (addressed the review)' : 'implemented v1' };
        case 'gemini': // gemini reviews: 5 suggestions for v1, 1 for v2
          return { type: 'text', text: request.userText.includes('implemented v2') ? ONE : FIVE };
        case 'anthropic': // claude refines
          return { type: 'text', text: request.userText.includes('trailing newline check') ? 'refined: final version' : 'refined: first pass' };
        case 'openai-chat':
          return { type: 'text', text: 'unused' };
      }
    });
    const { json, code, stderr } = await run(setup, 'Implement a REST API for user management');
    expect(json.success, stderr.slice(-3000)).toBe(true);
    expect(code).toBe(0);
    expect(json.iterations).toBe(2);
    expect(json.steps.map((s) => `${s.iteration}:${s.agent}:${s.role}:${s.success}`)).toEqual([
      '1:codex:implement:true', '1:gemini:review:true', '1:claude:refine:true',
      '2:codex:implement:true', '2:gemini:review:true', '2:claude:refine:true',
    ]);
    expect(json.steps[1]?.suggestions).toHaveLength(5);
    expect(json.steps[4]?.suggestions).toHaveLength(1);
    expect(json.convergence.map((c) => c.suggestions)).toEqual([5, 1]);
    expect(json.stop_reason).toBe('converged');
    expect(json.final_output).toBe('refined: final version');
    expect(existsSync(path.join(setup.work, 'users.ts'))).toBe(true);
    expect(json.steps[0]?.files_modified).toContain('users.ts');
    expect(json.steps.every((s) => s.usage.input_tokens > 0)).toBe(true);
  });

  it('falls back from codex to the mapped claude when the provider answers 500 to codex', { timeout: 300_000 }, async () => {
    const fake = await startFakeProvider();
    providers.push(fake);
    const setup = realCliSetup(fake.url);
    withWorkflow(setup, { max_iterations: 1, fallback: { enabled: true, map: { codex: 'claude' } } });
    fake.setScript((request: ProviderRequest): Reply => {
      if (request.api === 'openai-responses') return { type: 'error', status: 500, message: 'fake 500', retryAfterSeconds: 0 };
      if (request.api === 'gemini') return { type: 'text', text: 'Fine.\n```json\n{"suggestions": []}\n```' };
      return { type: 'text', text: 'claude did it' };
    });
    const { json, stderr } = await run(setup, 'Implement a REST API for user management');
    expect(json.steps[0], stderr.slice(-3000)).toMatchObject({ agent: 'claude', role: 'implement', fallback_from: 'codex', success: true });
    expect(json.success).toBe(true);
  });

  it('does not fall back when codex gets a 401: the task fails with an auth error', { timeout: 300_000 }, async () => {
    const fake = await startFakeProvider();
    providers.push(fake);
    const setup = realCliSetup(fake.url);
    withWorkflow(setup, { max_iterations: 1, fallback: { enabled: true, map: { codex: 'claude' } } });
    fake.setScript((request: ProviderRequest): Reply =>
      request.api === 'openai-responses' ? { type: 'error', status: 401, message: 'invalid api key' } : { type: 'text', text: 'must not run' },
    );
    const { json, code } = await run(setup, 'Implement a REST API for user management');
    expect(code).toBe(1);
    expect(json.success).toBe(false);
    expect(json.steps).toHaveLength(1);
    expect(json.steps[0]).toMatchObject({ agent: 'codex', fallback_from: null, success: false });
    expect(json.steps[0]?.error?.kind).toBe('auth');
    expect(json.reason).toMatch(/failed \[auth\]/);
    expect(fake.requests.some((r) => r.api === 'anthropic' && r.userText.includes('Implement'))).toBe(false);
  });
});
