/**
 * The binary runs from its one-file bundle (dist/bundle/cli.cjs) with V8's code cache kept per
 * command in the private home: written by a command's first run, read (not rewritten) by the
 * next; never written where no home exists. The bundle leaves the heavy packages outside and
 * loads them only when used, as the modules do.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { runCliTraced } from '../helpers/trace-imports.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const HEAVY = ['prom-client', 'pino', 'pino-pretty', 'node-llama-cpp', 'fastify', 'socket.io', 'bullmq', 'ioredis', '@modelcontextprotocol/sdk'];

function setup() {
  const dir = tempDir('aio-bundled-');
  const home = path.join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  const config = path.join(dir, 'agents.json');
  writeFileSync(config, JSON.stringify({ agents: { impl: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'done: ok' } } }, workflows: { default: [{ agent: 'impl', task: 'implement' }] } }));
  return { dir, home, config, cache: path.join(home, 'cache', 'compiled') };
}

describe('the bundled binary', () => {
  it('runs from the bundle, not the modules, and loads no heavy package for run or tasks list', async () => {
    const { dir, home, config } = setup();
    const work = path.join(dir, 'work');
    mkdirSync(work);
    const env = { AI_ORCHESTRATOR_HOME: home };
    const run = await runCliTraced(['run', 'say hello', '--json', '--config', config, '--cwd', work], { cwd: work, env, traceFile: path.join(dir, 'run.log'), bundled: true });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed' });
    // The bundle requires the driver from node_modules (the trace sees what it requires) …
    expect(run.packages.has('better-sqlite3')).toBe(true);
    expect(HEAVY.filter((name) => run.packages.has(name))).toEqual([]);
    // … and none of the CLI's or the service's modules were loaded as files.
    expect([...run.modules].filter((m) => /^(cli|service|workflow|adapters)\//.test(m))).toEqual([]);

    const list = await runCliTraced(['tasks', 'list'], { cwd: work, env, traceFile: path.join(dir, 'list.log'), bundled: true });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('say hello');
    expect([...list.packages].filter((name) => name !== 'bindings' && name !== 'file-uri-to-path')).toEqual(['better-sqlite3']);
  });

  it('keeps a code cache per command in the home, private, written once and then read', async () => {
    const { home, cache } = setup();
    const first = await runCli(['workflows', '--json'], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(first.code, first.stderr).toBe(0);
    const files = readdirSync(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^workflows\.\d+-\d+-v\d+_\d+_\d+-\w+\.bin$/);
    const file = path.join(cache, files[0] ?? '');
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = statSync(file).mtimeMs;

    const second = await runCli(['workflows', '--json'], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // Accepted by V8, so not written again.
    expect(statSync(file).mtimeMs).toBe(written);

    const other = await runCli(['agents', '--json'], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect([0, 1]).toContain(other.code);
    expect(readdirSync(cache).sort().map((name) => name.split('.')[0])).toEqual(['agents', 'workflows']);
  });

  it('writes no cache, and creates nothing, where there is no home yet', async () => {
    const { dir } = setup();
    const missing = path.join(dir, 'no-home-yet');
    const result = await runCli(['workflows', '--json', '--config', path.join(REPO_ROOT, 'config/agents.yaml')], { env: { AI_ORCHESTRATOR_HOME: missing } });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(missing, 'cache', 'compiled'))).toBe(false);
  });

  it('runs the same task as the modules do', async () => {
    const { dir, home, config } = setup();
    const work = path.join(dir, 'work');
    mkdirSync(work);
    const outcomes = [];
    for (const unbundled of [undefined, '1']) {
      const result = await runCli(['run', 'write it', '--json', '--config', config, '--cwd', work], {
        cwd: work,
        env: { AI_ORCHESTRATOR_HOME: home, AI_ORCHESTRATOR_UNBUNDLED: unbundled },
      });
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as { status: string; steps: { output: string }[] };
      outcomes.push({ status: json.status, outputs: json.steps.map((step) => step.output) });
    }
    expect(outcomes[0]).toEqual({ status: 'completed', outputs: ['done: ok'] });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });
});
