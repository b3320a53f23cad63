/**
 * The audit trail through the real CLI: running tasks records the configuration in use and each
 * task's submission, start and end (a Ctrl+C as a cancel request, then `task.cancelled`); `audit verify` names the line of a record
 * changed, removed or inserted, and exits non-zero; `audit list` shows the records.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CLI, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');

interface AuditRecordJson {
  readonly seq: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

function writeConfig(file: string, agentEnv: Record<string, string>): void {
  writeFileSync(
    file,
    stringify({
      agents: { fake: { type: 'generic', command: FAKE_CLI, env: agentEnv } },
      workflows: { default: [{ agent: 'fake', task: 'implement' }] },
    }),
  );
}

async function auditList(home: string): Promise<AuditRecordJson[]> {
  const listed = await runCli(['audit', 'list', '--json'], { env: { AI_ORCHESTRATOR_HOME: home } });
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { records: AuditRecordJson[] }).records;
}

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(50);
}

describe('the audit trail of tasks and configuration', () => {
  it('records the configuration in use, each task’s submission, start and end, and a cancel', async () => {
    const home = tempDir('aio-home-');
    const work = tempDir('aio-work-');
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    const env = { AI_ORCHESTRATOR_HOME: home };
    writeConfig(config, { FAKE_STDOUT: 'done' });

    const first = await runCli(['run', 'first task', '--json', '--config', config, '--cwd', work], { env });
    const second = await runCli(['run', 'second task', '--json', '--config', config, '--cwd', work], { env });
    const ids = [first, second].map((r) => (JSON.parse(r.stdout) as { task_id: string }).task_id);

    // The configuration changes: the next run records it, with the hash it replaced.
    const pidFile = path.join(work, 'agent.pid');
    writeConfig(config, { FAKE_HANG: '1', FAKE_PID_FILE: pidFile });
    const child = spawn(process.execPath, [CLI, 'run', 'hanging task', '--json', '--config', config, '--cwd', work], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitForFile(pidFile);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const cancelledId = (JSON.parse(stdout) as { task_id: string }).task_id;

    const records = await auditList(home);
    expect(records.map((r) => r.type)).toEqual([
      'config.changed', 'task.submitted', 'task.started', 'task.finished',
      'task.submitted', 'task.started', 'task.finished',
      'config.changed', 'task.submitted', 'task.started', 'task.cancel_requested', 'task.cancelled',
    ]);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(records[0]?.data).toMatchObject({ source: 'cli', file: config, previous: null });
    expect(records[7]?.data['previous']).toBe(records[0]?.data['sha256']);
    expect(records[1]?.data).toMatchObject({ taskId: ids[0], workflow: 'default', task: 'first task', cwd: work, source: 'cli' });
    expect(records[2]?.data).toMatchObject({ taskId: ids[0], workflow: 'default' });
    expect(records[3]?.data).toMatchObject({ taskId: ids[0], status: 'completed' });
    expect(records[6]?.data).toMatchObject({ taskId: ids[1], status: 'completed' });
    expect(records[10]?.data).toMatchObject({ taskId: cancelledId, source: 'cli' });
    expect(records[11]?.data).toMatchObject({ taskId: cancelledId, status: 'cancelled', stopReason: 'cancelled' });
    expect(statSync(path.join(home, 'audit.log')).mode & 0o777).toBe(0o600);

    const verified = await runCli(['audit', 'verify'], { env });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('intact: 12 records');
    const human = await runCli(['audit', 'list', '--type', 'task.cancelled'], { env });
    expect(human.stdout).toContain(`taskId=${cancelledId}`);
  });
});

describe('audit verify on a tampered log', () => {
  async function seededHome(): Promise<{ home: string; file: string; lines: string[] }> {
    const home = tempDir('aio-home-');
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    writeConfig(config, { FAKE_STDOUT: 'done' });
    for (const task of ['one', 'two']) {
      const run = await runCli(['run', task, '--config', config, '--cwd', tempDir()], { env: { AI_ORCHESTRATOR_HOME: home } });
      expect(run.code, run.stderr).toBe(0);
    }
    const file = path.join(home, 'audit.log');
    return { home, file, lines: readFileSync(file, 'utf8').trimEnd().split('\n') };
  }

  async function verify(home: string): Promise<{ code: number | null; stderr: string; json: { error: { code: string; message: string } } }> {
    const human = await runCli(['audit', 'verify'], { env: { AI_ORCHESTRATOR_HOME: home } });
    const json = await runCli(['audit', 'verify', '--json'], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(json.code).toBe(human.code);
    return { code: human.code, stderr: human.stderr, json: JSON.parse(json.stdout) as { error: { code: string; message: string } } };
  }

  it.each([
    ['a changed record', (lines: string[]) => lines.map((line, i) => (i === 3 ? line.replace('"completed"', '"failed"') : line)), ':4: changed'],
    ['a removed record', (lines: string[]) => lines.filter((_, i) => i !== 1), ':2: record 2 removed before this line'],
    ['an inserted record', (lines: string[]) => [...lines.slice(0, 3), lines[1]!, ...lines.slice(3)], ':4: inserted'],
    ['records cut off the end', (lines: string[]) => lines.slice(0, 3), ':4: records 4–7 removed from the end'],
  ])('names the line of %s and exits 1', async (_label, tamper, expected) => {
    const { home, file, lines } = await seededHome();
    expect(lines).toHaveLength(7);
    writeFileSync(file, `${tamper(lines).join('\n')}\n`);
    const result = await verify(home);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`${file}${expected}`);
    expect(result.json.error.code).toBe('AUDIT_BROKEN');
    expect(result.json.error.message).toContain(`${file}${expected}`);
  });
});
