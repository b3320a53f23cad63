/**
 * `ai-orchestrator serve` as users start it: the built binary, a real port, SIGTERM with a task
 * running — the agent is stopped, the task stored cancelled, the process exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CLI } from '../helpers/cli.js';
import { readPid, waitGone } from '../helpers/fake-cli.js';
import { fixtureAgent } from '../helpers/server-fixture.js';

describe('serve (the binary)', () => {
  it('prints its URL and login link, answers with the token, and on SIGTERM cancels the running task and exits 0', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'aio-serve-cli-'));
    const home = path.join(root, 'home');
    mkdirSync(home);
    const pidFile = path.join(root, 'agent.pid');
    const configFile = path.join(root, 'agents.yaml');
    writeFileSync(configFile, stringify({ agents: { hanger: fixtureAgent({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) }, workflows: { default: [{ agent: 'hanger', task: 'implement' }] }, settings: { create_reports: false, enable_context_memory: false } }));
    const child = spawn(process.execPath, [CLI, '--config', configFile, 'serve', '--port', '0', '--cwd', root], {
      env: { ...process.env, AI_ORCHESTRATOR_HOME: home, AI_ORCHESTRATOR_TOKEN: 'cli-test-token-123456' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && !/login\?code=/.test(stdout); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const url = /serving on (http:\/\/\S+)/.exec(stdout)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/tasks`)).status).toBe(401);
    const started = await fetch(`${url}/api/execute`, {
      method: 'POST',
      headers: { authorization: 'Bearer cli-test-token-123456', 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'wait forever' }),
    });
    const { task_id: taskId } = (await started.json()) as { task_id: string };
    const pid = await readPid(pidFile, 15_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await waitGone(pid)).toBe(true);
    const listed = await import('../../src/tasks/open-task-store.js').then(({ openTaskStore }) => openTaskStore(home).store.get(taskId));
    expect(listed?.status).toBe('cancelled');
    expect(stdout).not.toContain('cli-test-token-123456');
  });
});
