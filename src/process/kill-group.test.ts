import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import { FAKE_CLI, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { killGroup } from './kill-group.js';

const SPAWN_PROCESS = pathToFileURL(path.join(import.meta.dirname, 'spawn-process.ts')).href;

/**
 * Runs a small orchestrator stand-in: it starts a hanging agent group (with a grandchild) through
 * spawnProcess, waits until both are up, then ends in the way `ending` says.
 */
function runOrchestratorThatEnds(ending: string): { leader: Promise<number>; grandchild: Promise<number>; status: number | null; signal: string | null } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-exit-hook-'));
  const script = path.join(dir, 'orchestrator.mjs');
  writeFileSync(
    script,
    `import { existsSync } from 'node:fs';
import { spawnProcess } from ${JSON.stringify(SPAWN_PROCESS)};
const running = spawnProcess({
  command: ${JSON.stringify(FAKE_CLI)}, args: [], cwd: ${JSON.stringify(dir)},
  env: { PATH: process.env.PATH, FAKE_HANG: '1', FAKE_PID_FILE: ${JSON.stringify(path.join(dir, 'pid'))},
         FAKE_GRANDCHILD_PID_FILE: ${JSON.stringify(path.join(dir, 'gc'))} },
});
void running.result;
while (!existsSync(${JSON.stringify(path.join(dir, 'gc'))}) || !existsSync(${JSON.stringify(path.join(dir, 'pid'))})) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await new Promise((resolve) => setTimeout(resolve, 50));
${ending}
`,
  );
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, timeout: 30_000, encoding: 'utf8' });
  return { leader: readPid(path.join(dir, 'pid')), grandchild: readPid(path.join(dir, 'gc')), status: child.status, signal: child.signal };
}

describe('killGroup', () => {
  it('does not throw for a group that is already gone', () => {
    expect(() => killGroup(2 ** 22 - 3, 'SIGKILL')).not.toThrow();
  });
});

describe('the exit hook', () => {
  it('kills live agent groups when the orchestrator calls process.exit', async () => {
    const run = runOrchestratorThatEnds('process.exit(0);');
    expect(run.status).toBe(0);
    expect(await waitGone(await run.leader)).toBe(true);
    expect(await waitGone(await run.grandchild)).toBe(true);
  });

  it('kills live agent groups when the orchestrator dies of an uncaught error', async () => {
    const run = runOrchestratorThatEnds("throw new Error('boom');");
    expect(run.status).toBe(1);
    expect(await waitGone(await run.leader)).toBe(true);
    expect(await waitGone(await run.grandchild)).toBe(true);
  });

  it('kills live agent groups when the orchestrator is killed by an unhandled SIGTERM, then dies of it', async () => {
    const run = runOrchestratorThatEnds("process.kill(process.pid, 'SIGTERM'); await new Promise(() => setInterval(() => {}, 1000));");
    expect(run.signal).toBe('SIGTERM');
    expect(await waitGone(await run.leader)).toBe(true);
    expect(await waitGone(await run.grandchild)).toBe(true);
  });

  it('leaves a handled SIGINT to the application', async () => {
    const run = runOrchestratorThatEnds(
      "process.on('SIGINT', () => { process.stdout.write('handled'); process.exit(7); }); process.kill(process.pid, 'SIGINT'); await new Promise(() => setInterval(() => {}, 1000));",
    );
    expect(run.status).toBe(7);
    // The application exited; the exit hook still cleaned up.
    expect(await waitGone(await run.leader)).toBe(true);
    expect(await waitGone(await run.grandchild)).toBe(true);
  });
});
