/**
 * settings.output_limit_bytes through the real binary: an agent printing 30 MB leaves a valid
 * `run --json`, a stored task and reports that each keep at most the limit of its output (head and
 * tail around a cut marker), and `test-agent` keeps to the same limit.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FLOOD_AGENT = path.join(REPO_ROOT, 'test/fixtures/bin/flood-agent.mjs');
const LIMIT = 64 * 1024;

function setup() {
  const home = tempDir('aio-limit-home-');
  const work = tempDir('aio-limit-work-');
  const config = path.join(home, 'agents.yaml');
  writeFileSync(
    config,
    stringify({
      agents: {
        flood: {
          type: 'generic',
          command: FLOOD_AGENT,
          timeout: 120,
          env: { FLOOD_BYTES: String(30 * 1024 * 1024), FLOOD_HEAD: 'HEAD-MARK', FLOOD_TAIL: 'TAIL-MARK' },
        },
      },
      workflows: { default: [{ agent: 'flood', task: 'implement' }] },
      settings: { max_iterations: 1, output_limit_bytes: LIMIT },
    }),
  );
  return { home, work, config, env: { AI_ORCHESTRATOR_HOME: home } };
}

function expectCapped(output: string): void {
  expect(output.startsWith('HEAD-MARK')).toBe(true);
  expect(output.trimEnd().endsWith('TAIL-MARK')).toBe(true);
  expect(output).toMatch(/\n\[… \d+ bytes cut\]\n/);
  expect(Buffer.byteLength(output)).toBeLessThanOrEqual(LIMIT + 64);
}

describe('an agent printing 30 MB with output_limit_bytes: 64 KiB', () => {
  it('run --json is valid and keeps head and tail within the limit; tasks show and the report too', async () => {
    const s = setup();
    const run = await runCli(['run', 'Flood', '--json', '--config', s.config, '--cwd', s.work], { env: s.env, timeoutMs: 120_000 });
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const result = z.looseObject({ task_id: z.string(), final_output: z.string(), steps: z.array(z.looseObject({ output: z.string() })) }).parse(JSON.parse(run.stdout));
    expectCapped(result.final_output);
    expectCapped(result.steps[0]?.output ?? '');

    const shown = await runCli(['tasks', 'show', result.task_id, '--json'], { env: s.env });
    expect(shown.code).toBe(0);
    expectCapped(z.looseObject({ final_output: z.string() }).parse(JSON.parse(shown.stdout)).final_output);

    const report = path.join(s.home, 'reports', `exec_${result.task_id}.json`);
    expect(statSync(report).size).toBeLessThan(4 * LIMIT);
    expect(readFileSync(report, 'utf8')).toContain('bytes cut]');
  });

  it('test-agent --json keeps to the same limit', async () => {
    const s = setup();
    const result = await runCli(['test-agent', 'flood', 'Flood', '--json', '--config', s.config, '--cwd', s.work], { env: s.env, timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expectCapped(z.looseObject({ output: z.string() }).parse(JSON.parse(result.stdout)).output);
  });
});
