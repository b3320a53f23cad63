/**
 * An agent's `timeout` is one AbortSignal for the whole step: retries and their backoff happen
 * inside it, so an agent that hangs silently is tried once, not `max_attempts` times the timeout.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { runCli, tempDir } from '../helpers/cli.js';
import { FAKE_CLI } from '../helpers/fake-cli.js';

const resultJson = z.looseObject({
  status: z.string(),
  steps: z.array(z.looseObject({ agent: z.string(), error: z.object({ kind: z.string(), message: z.string() }).nullable() })),
});
const agentsJson = z.object({
  agents: z.array(z.looseObject({ name: z.string(), health: z.looseObject({ calls: z.number(), last_failure_kind: z.string().nullable() }) })),
});

describe('a step timeout bounds the whole step, retries included', () => {
  it('a silent hanging agent with max_attempts 3 and timeout 1 ends as timeout after one recorded attempt', async () => {
    const home = tempDir('aio-timeout-home-');
    const work = tempDir('aio-timeout-work-');
    const config = path.join(home, 'agents.yaml');
    writeFileSync(
      config,
      stringify({
        agents: { sleeper: { type: 'generic', command: FAKE_CLI, timeout: 1, env: { FAKE_HANG: '1' } } },
        workflows: { default: [{ agent: 'sleeper', task: 'implement' }] },
        settings: { max_iterations: 1, resilience: { retry: { max_attempts: 3, base_delay: 0.1 } } },
      }),
    );
    const env = { AI_ORCHESTRATOR_HOME: home };
    const run = await runCli(['run', 'Hang', '--json', '--config', config, '--cwd', work], { env });
    expect(run.code, run.stderr).toBe(1);
    const result = resultJson.parse(JSON.parse(run.stdout));
    expect(result.status).toBe('failed');
    expect(result.steps[0]?.error).toEqual({ kind: 'timeout', message: 'timed out after 1 s' });

    const agents = await runCli(['agents', '--json', '--config', config], { env });
    const sleeper = agentsJson.parse(JSON.parse(agents.stdout)).agents.find((agent) => agent.name === 'sleeper');
    expect(sleeper?.health).toMatchObject({ calls: 1, last_failure_kind: 'timeout' });
  });
});
