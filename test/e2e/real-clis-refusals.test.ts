/**
 * A refused tool call of the real Claude Code CLI (node_modules/.bin/claude) against the scripted
 * fake provider: the model writes a file outside the working directory, Claude refuses (exit 0,
 * `permission_denials` in its result) and the model still answers "done". The refusal must show
 * in the live output, in the stored step record, and in the next step's prompt. Codex, Gemini CLI
 * and Copilot CLI refuse such a write each in their own way; each must end up the same on the step.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startFakeProvider, type FakeProvider, type ProviderRequest, type Reply } from '../fake-provider/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { realCliSetup } from '../helpers/real-clis.js';

const providers: FakeProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

interface StepJson {
  readonly role: string;
  readonly success: boolean;
  readonly refusals: { tool: string; target: string | null; reason: string }[];
}

describe('a refused tool call of the real Claude Code CLI', () => {
  it('is recorded on the step, shown live, and named in the next prompt', { timeout: 240_000 }, async () => {
    const fake = await startFakeProvider();
    providers.push(fake);
    const setup = realCliSetup(fake.url);
    const outside = path.join(path.dirname(setup.work), 'elsewhere', 'refined.txt');
    const config = parse(readFileSync(setup.config, 'utf8')) as Record<string, unknown>;
    config['workflows'] = { default: [{ agent: 'claude', task: 'implement' }, { agent: 'claude', task: 'review' }] };
    config['settings'] = { max_iterations: 1, enable_context_memory: false, create_reports: false };
    writeFileSync(setup.config, stringify(config));
    fake.setScript((request: ProviderRequest): Reply => {
      if (request.userText.includes('Review the implementation')) return { type: 'text', text: 'Nothing to add.\n```json\n{"suggestions": []}\n```' };
      return request.toolResults === 0 ? { type: 'write-file', path: outside, content: 'refined\n' } : { type: 'text', text: 'done: wrote refined.txt' };
    });

    const run = await runCli(['run', 'write refined.txt', '--json', '--config', setup.config, '--cwd', setup.work], {
      cwd: setup.work,
      env: { AI_ORCHESTRATOR_HOME: setup.home },
      timeoutMs: 200_000,
    });
    const result = JSON.parse(run.stdout) as { task_id: string; steps: StepJson[] };

    expect(existsSync(outside)).toBe(false);
    expect(run.stderr).toContain(`⊘ refused: Write ${outside} — Claude requested permissions to write to ${outside}`);
    expect(run.stderr).toMatch(/claude implement .*1 tool call refused/);
    const refusal = { tool: 'Write', target: outside, reason: expect.stringContaining("but you haven't granted it yet") as string };
    expect(result.steps[0]?.refusals).toEqual([refusal]);

    const shown = await runCli(['tasks', 'show', result.task_id, '--json'], { cwd: setup.work, env: { AI_ORCHESTRATOR_HOME: setup.home } });
    const stored = JSON.parse(shown.stdout) as { steps: StepJson[] };
    expect(stored.steps[0]?.refusals).toEqual([refusal]);
    expect(stored.steps[1]?.refusals).toEqual([]);
    const human = await runCli(['tasks', 'show', result.task_id], { cwd: setup.work, env: { AI_ORCHESTRATOR_HOME: setup.home } });
    expect(human.stdout).toContain(`step 1.1 refused: Write ${outside} — Claude requested permissions`);

    const review = fake.requests.find((r) => r.userText.includes('Review the implementation'));
    expect(review?.userText).toContain('Tool calls of the previous step (claude) were refused by its CLI');
    expect(review?.userText).toContain(`- Write ${outside}: Claude requested permissions`);
  });
});

describe.concurrent.each(['codex', 'gemini', 'copilot'] as const)('a refused write of the real %s CLI', (cli) => {
  it('is recorded on the step as a refusal while the agent still claims success', { timeout: 240_000 }, async () => {
    const fake = await startFakeProvider();
    providers.push(fake);
    const setup = realCliSetup(fake.url);
    // Outside the working directory and outside the temp folders codex and copilot let agents write.
    const outside = path.join(REPO_ROOT, `.aio-refusal-probe-${cli}-${process.pid}`, 'refused.txt');
    mkdirSync(path.dirname(outside), { recursive: true });
    const config = parse(readFileSync(setup.config, 'utf8')) as Record<string, unknown>;
    config['workflows'] = { default: [{ agent: cli, task: 'implement' }] };
    config['settings'] = { max_iterations: 1, enable_context_memory: false, create_reports: false };
    writeFileSync(setup.config, stringify(config));
    fake.setScript((request) => (request.toolResults === 0 ? { type: 'write-file', path: outside, content: 'x\n' } : { type: 'text', text: 'done: wrote it' }));
    try {
      const run = await runCli(['run', 'write the file', '--json', '--config', setup.config, '--cwd', setup.work], {
        cwd: setup.work,
        env: { AI_ORCHESTRATOR_HOME: setup.home },
        timeoutMs: 200_000,
      });
      const result = JSON.parse(run.stdout) as { steps: StepJson[] };
      expect(existsSync(outside)).toBe(false);
      expect(result.steps[0]?.success).toBe(true);
      const expected = {
        codex: { tool: 'apply_patch', target: null, reason: expect.stringMatching(/writing outside of the project/) as string },
        gemini: { tool: 'write_file', target: outside, reason: expect.stringMatching(/^Path not in workspace/) as string },
        copilot: { tool: 'create', target: outside, reason: expect.stringMatching(/^Permission denied/) as string },
      }[cli];
      expect(result.steps[0]?.refusals, run.stderr.slice(-2000)).toEqual([expected]);
      expect(run.stderr).toContain(`⊘ refused: ${expected.tool}`);
    } finally {
      rmSync(path.dirname(outside), { recursive: true, force: true });
    }
  });
});
