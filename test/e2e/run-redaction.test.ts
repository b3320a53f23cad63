/**
 * A secret written literally into an agent's `env` and echoed back by the agent never reaches
 * run's output, the task store, the reports or the memory.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const SECRET = 'literal-service-secret-8675309';

describe('run redacts secrets from agents’ configured env', () => {
  it('keeps the secret out of --json, tasks show, the reports and context search', async () => {
    const home = tempDir('aio-home-');
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    writeFileSync(
      config,
      stringify({
        agents: {
          leaky: { type: 'generic', command: FAKE_CLI, env: { SERVICE_TOKEN: SECRET, FAKE_STDOUT: `connected with ${SECRET}` } },
        },
        workflows: { default: [{ agent: 'leaky', task: 'implement' }] },
      }),
    );
    const env = { AI_ORCHESTRATOR_HOME: home };
    const run = await runCli(['run', 'use the service token', '--json', '--config', config, '--cwd', tempDir()], { env });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { task_id: string; final_output: string };
    expect(result.final_output).toBe('connected with [REDACTED]');

    const shown = await runCli(['tasks', 'show', result.task_id, '--json', '--config', config], { env });
    const searched = await runCli(['context', 'search', 'connected', '--json', '--config', config], { env });
    const reports = readdirSync(path.join(home, 'reports')).map((f) => readFileSync(path.join(home, 'reports', f), 'utf8'));
    for (const text of [run.stdout, run.stderr, shown.stdout, searched.stdout, ...reports]) expect(text).not.toContain(SECRET);
    expect(searched.stdout).toContain('[REDACTED]');
  });
});
