/**
 * The home is private state: created 0700 with every file in it 0600 even under `umask 000`,
 * and a home left readable by others (made before, or loosened since) is tightened by the next
 * command with one warning line.
 */
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');

/** Every entry under `dir` (recursively) with its permission bits. */
function modesUnder(dir: string): { entry: string; mode: number; isDir: boolean }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => {
    const stats = statSync(path.join(dir, name));
    return { entry: name, mode: stats.mode & 0o777, isDir: stats.isDirectory() };
  });
}

describe('private state under umask 000', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o000); // inherited by the CLI processes the tests start
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('creates the home 0700 and the database, reports, outputs, logs, shell history and audit log 0600', async () => {
    const home = path.join(tempDir('aio-priv-'), 'home');
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    writeFileSync(
      config,
      stringify({
        agents: { fake: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'done' } } },
        workflows: { default: [{ agent: 'fake', task: 'implement' }] },
        settings: { log_file: 'logs/ai-orchestrator.log' },
      }),
    );
    const env = { AI_ORCHESTRATOR_HOME: home };
    const run = await runCli(['run', 'write the readme', '--config', config, '--cwd', tempDir()], { env });
    expect(run.code, run.stderr).toBe(0);
    const shell = await runCli(['shell', '--config', config, '--cwd', tempDir()], { env, input: 'another task\n' });
    expect(shell.code, shell.stderr).toBe(0);

    expect(statSync(home).mode & 0o777).toBe(0o700);
    const entries = modesUnder(home);
    expect(entries.map((e) => e.entry)).toEqual(
      expect.arrayContaining(['context.db', 'reports', 'output', 'logs', 'logs/ai-orchestrator.log', 'shell_history', 'audit.log', 'audit.head']),
    );
    for (const { entry, mode, isDir } of entries) expect(mode, entry).toBe(isDir ? 0o700 : 0o600);
    expect(run.stderr).not.toContain('could be read by other users');
  });
});

describe('a home readable by others', () => {
  it('is tightened by the next command, with one warning line, then left alone', async () => {
    const home = tempDir('aio-loose-');
    chmodSync(home, 0o755);
    writeFileSync(path.join(home, 'context.db'), '');
    chmodSync(path.join(home, 'context.db'), 0o644);
    mkdirSync(path.join(home, 'reports'));
    chmodSync(path.join(home, 'reports'), 0o755);
    writeFileSync(path.join(home, 'reports', 'exec_old.json'), '{}');
    chmodSync(path.join(home, 'reports', 'exec_old.json'), 0o644);

    const first = await runCli(['tasks', 'list'], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(first.code, first.stderr).toBe(0);
    const warnings = first.stderr.split('\n').filter((line) => line.includes('could be read by other users'));
    expect(warnings).toEqual([`warning: 4 entries of ${home} could be read by other users; made private (owner only)`]);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    for (const { entry, mode, isDir } of modesUnder(home)) expect(mode, entry).toBe(isDir ? 0o700 : 0o600);

    const second = await runCli(['tasks', 'list'], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(second.stderr).not.toContain('could be read by other users');
  });
});
