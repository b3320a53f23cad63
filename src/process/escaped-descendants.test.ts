/**
 * Descendants that leave the agent's process group: whatever the agent started — a plain child, a
 * child ignoring SIGTERM, a `setsid` child holding our stdout open, a `setsid` child on /dev/null —
 * the step ends (normal exit, timeout, abort) and nothing of it is left in the process table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import { isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { liveGroupLeaders } from './kill-group.js';
import { findTagged, killOrphansOf, markPid, processStartTime, RUN_TAG_VARIABLE, runTagOf } from './process-table.js';
import { spawnProcess } from './spawn-process.js';

const FORKING_AGENT = path.join(REPO_ROOT, 'test/fixtures/bin/forking-agent.mjs');
const CHILDREN = ['plain', 'ignore-term', 'setsid-stdout', 'setsid-null'] as const;
/** A step must end within its limit plus 3 s; the rest is slack for a loaded machine. */
const SLACK_MS = 3000 + 4000;

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-escape-'));

function startAgent(child: string, dir: string, extra: { hang?: boolean; signal?: AbortSignal; timeoutMs?: number } = {}) {
  return spawnProcess({
    command: FORKING_AGENT,
    args: [],
    cwd: dir,
    stdin: 'prompt',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      FORK_CHILD: child,
      FORK_CHILD_PID_FILE: path.join(dir, 'child.pid'),
      FORK_AGENT_PID_FILE: path.join(dir, 'agent.pid'),
      ...(extra.hang ? { FORK_HANG: '1' } : {}),
    },
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
  });
}

async function drain(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe.each(CHILDREN)('an agent that started a %s child', (child) => {
  it('ends on its normal exit with its output, and the child is gone', async () => {
    const dir = tmp();
    const running = startAgent(child, dir);
    const started = performance.now();
    expect(await drain(running.lines)).toEqual(['forked']);
    const result = await running.result;
    expect(performance.now() - started).toBeLessThan(SLACK_MS);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, isCanceled: false });
    expect(await waitGone(await readPid(path.join(dir, 'child.pid')))).toBe(true);
    if (child.startsWith('setsid')) expect(result.escapedKilled).toBeGreaterThanOrEqual(1);
  });

  it('ends on timeout within the limit + 3 s, and the agent and the child are gone', async () => {
    const dir = tmp();
    const started = performance.now();
    const running = startAgent(child, dir, { hang: true, timeoutMs: 1000 });
    await drain(running.lines);
    const result = await running.result;
    expect(performance.now() - started).toBeLessThan(1000 + SLACK_MS);
    expect(result).toMatchObject({ timedOut: true, isCanceled: false });
    expect(await waitGone(await readPid(path.join(dir, 'agent.pid')))).toBe(true);
    expect(await waitGone(await readPid(path.join(dir, 'child.pid')))).toBe(true);
  });

  it('ends on one abort, and the agent and the child are gone', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const running = startAgent(child, dir, { hang: true, signal: controller.signal });
    const childPid = await readPid(path.join(dir, 'child.pid'));
    const abortedAt = performance.now();
    controller.abort();
    await drain(running.lines);
    const result = await running.result;
    expect(performance.now() - abortedAt).toBeLessThan(SLACK_MS);
    expect(result).toMatchObject({ isCanceled: true, timedOut: false });
    expect(await waitGone(await readPid(path.join(dir, 'agent.pid')))).toBe(true);
    expect(await waitGone(childPid)).toBe(true);
  });
});

describe('the run tag', () => {
  it('is in the environment of the agent and of every descendant, unique per spawn', async () => {
    const controller = new AbortController();
    const dirs = [tmp(), tmp()];
    const runs = dirs.map((dir) => startAgent('setsid-null', dir, { hang: true, signal: controller.signal }));
    try {
      const tags = await Promise.all(
        dirs.map(async (dir) => {
          const agent = runTagOf(await readPid(path.join(dir, 'agent.pid')));
          expect(runTagOf(await readPid(path.join(dir, 'child.pid')))).toBe(agent);
          return agent;
        }),
      );
      expect(tags[0]).toMatch(new RegExp(`^${process.pid}-${processStartTime(process.pid) ?? ''}-\\d+$`));
      expect(tags[1]).not.toBe(tags[0]);
      expect(RUN_TAG_VARIABLE).toBe('AIO_RUN_ID');
    } finally {
      controller.abort();
      await Promise.all(runs.map(async (running) => drain(running.lines).then(() => running.result)));
    }
  });
});

describe('a sweep since a pid mark', () => {
  it('reads only processes created after the mark', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const running = startAgent('setsid-null', dir, { hang: true, signal: controller.signal });
    try {
      const agent = await readPid(path.join(dir, 'agent.pid'));
      const child = await readPid(path.join(dir, 'child.pid'));
      const tag = runTagOf(agent);
      const tagged = (candidate: string): boolean => candidate === tag;
      expect(findTagged(tagged).sort()).toEqual([agent, child].sort());
      // The leaders of our running agents are known and skipped: the agent is one of them.
      expect(liveGroupLeaders().has(agent)).toBe(true);
      expect(findTagged(tagged, undefined, liveGroupLeaders())).toEqual([child]);
      const sinceAgent = findTagged(tagged, markPid(agent));
      const sinceChild = findTagged(tagged, markPid(child));
      expect(sinceAgent).toContain(child);
      // After a wrap of the kernel's pid counter (rare) the sweep reads every process instead.
      const lastPid = Number(readFileSync('/proc/loadavg', 'utf8').trim().split(' ').at(-1));
      if (child > agent && lastPid >= child) {
        expect(sinceAgent).toEqual([child]);
        expect(sinceChild).toEqual([]);
      }
    } finally {
      controller.abort();
      await drain(running.lines);
      await running.result;
    }
  });
});

describe('after the orchestrator is killed with SIGKILL', () => {
  it('killOrphansOf(its pid) kills the setsid child it left behind, and leaves a live owner alone', async () => {
    const dir = tmp();
    const script = path.join(dir, 'orchestrator.mjs');
    const spawnModule = pathToFileURL(path.join(import.meta.dirname, 'spawn-process.ts')).href;
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs';
import { spawnProcess } from ${JSON.stringify(spawnModule)};
const running = spawnProcess({ command: ${JSON.stringify(FORKING_AGENT)}, args: [], cwd: ${JSON.stringify(dir)}, stdin: 'p',
  env: { PATH: process.env.PATH, FORK_CHILD: 'setsid-stdout', FORK_HANG: '1',
         FORK_CHILD_PID_FILE: ${JSON.stringify(path.join(dir, 'child.pid'))}, FORK_AGENT_PID_FILE: ${JSON.stringify(path.join(dir, 'agent.pid'))} } });
void running.result;
while (!existsSync(${JSON.stringify(path.join(dir, 'child.pid'))})) await new Promise((resolve) => setTimeout(resolve, 20));
process.kill(process.pid, 'SIGKILL');
`,
    );
    const orchestrator = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, timeout: 30_000 });
    expect(orchestrator.signal).toBe('SIGKILL');
    const agent = await readPid(path.join(dir, 'agent.pid'));
    const child = await readPid(path.join(dir, 'child.pid'));
    try {
      // Nothing cleaned up after a SIGKILL: both still run.
      expect(isAlive(agent)).toBe(true);
      expect(isAlive(child)).toBe(true);
      // Our own processes are never taken for orphans.
      expect(killOrphansOf(process.pid)).toBe(0);
      expect(killOrphansOf(orchestrator.pid ?? -1)).toBeGreaterThanOrEqual(2);
      expect(await waitGone(agent)).toBe(true);
      expect(await waitGone(child)).toBe(true);
    } finally {
      for (const pid of [agent, child]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
    }
  });
});
