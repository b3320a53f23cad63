/**
 * Data commands start lean: they load only the packages they need (checked with a module-resolve
 * hook on the real CLI). `workflows`, `agents` and `validate` never load the database driver when
 * there is no database; nothing here loads prom-client, pino, node-llama-cpp or the server, MCP
 * and queue libraries; `tasks list` and `tasks show` load the database driver and nothing else (no
 * zod); `run` loads the adapters, clients and workspace tools its task uses; a configuration
 * validated before is read from the cache without the YAML parser or zod, and a changed file is
 * validated again. A task run without `settings.queue` loads neither bullmq nor ioredis; `run
 * --queue` does (and says at once when Redis cannot be reached).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { runCliTraced } from '../helpers/trace-imports.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');

/** Packages no data command needs. */
const NEVER = ['prom-client', 'pino', 'pino-pretty', 'node-llama-cpp', 'fastify', 'socket.io', 'bullmq', 'ioredis'];

function heavyPackages(packages: ReadonlySet<string>): string[] {
  return [...packages].filter((name) => NEVER.includes(name) || name.startsWith('@modelcontextprotocol/'));
}

const CONFIG = `agents:
  impl:
    type: generic
    command: ${FAKE_CLI}
  local:
    type: ollama
    endpoint: http://127.0.0.1:1
    model: tiny
workflows:
  default:
    - agent: impl
      task: implement
`;

function setup() {
  const dir = tempDir('aio-lean-');
  const config = path.join(dir, 'agents.yaml');
  writeFileSync(config, CONFIG);
  const home = path.join(dir, 'home');
  const run = (args: readonly string[]) =>
    runCliTraced([...args, '--config', config], { cwd: dir, env: { AI_ORCHESTRATOR_HOME: home }, traceFile: path.join(dir, 'imports.log') });
  return { dir, config, home, run };
}

describe('lean start-up of data commands', () => {
  it('workflows, agents and validate load no database driver while there is no database, and nothing heavy', async () => {
    const { run } = setup();
    for (const args of [['workflows'], ['agents'], ['validate'], ['agents', '--json']]) {
      const result = await run(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(heavyPackages(result.packages), args.join(' ')).toEqual([]);
      expect(result.packages.has('better-sqlite3'), args.join(' ')).toBe(false);
    }
  });

  it('tasks list, doctor and agents with a database load the driver they need, and nothing else heavy', async () => {
    const { run } = setup();
    const tasks = await run(['tasks', 'list']);
    expect(tasks.code, tasks.stderr).toBe(0);
    // The hook sees the driver when it is loaded: the checks above and below mean something.
    expect(tasks.packages.has('better-sqlite3')).toBe(true);
    expect(heavyPackages(tasks.packages)).toEqual([]);
    // Stored tasks are read without zod (its load alone is ≈ 40 ms).
    expect(tasks.packages.has('zod')).toBe(false);
    for (const args of [['agents'], ['doctor']]) {
      const result = await run(args);
      expect([0, 1], `${args.join(' ')}: ${result.stderr}`).toContain(result.code);
      expect(result.packages.has('better-sqlite3'), args.join(' ')).toBe(true);
      expect(heavyPackages(result.packages), args.join(' ')).toEqual([]);
    }
  });

  it('tasks list and tasks show of stored tasks load the database driver and commander only', async () => {
    const { run, dir, config, home } = setup();
    const work = path.join(dir, 'work');
    mkdirSync(work);
    const task = await runCli(['run', 'Write a README', '--json', '--quiet', '--config', config, '--cwd', work], {
      cwd: work,
      env: { AI_ORCHESTRATOR_HOME: home },
    });
    expect(task.code, task.stderr).toBe(0);
    const id = (JSON.parse(task.stdout) as { task_id: string }).task_id;
    for (const args of [['tasks', 'list'], ['tasks', 'list', '--json'], ['tasks', 'show', id], ['tasks', 'show', id.slice(0, 8), '--json']]) {
      const result = await run(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stdout, args.join(' ')).toContain(args.includes('--json') ? id : id.slice(0, 8));
      expect(result.stdout, args.join(' ')).toContain('Write a README');
      // bindings and file-uri-to-path are how the driver finds its native module.
      const packages = [...result.packages].filter((name) => name !== 'bindings' && name !== 'file-uri-to-path');
      expect(packages.sort(), args.join(' ')).toEqual(['better-sqlite3', 'commander']);
    }
  });

  it('run loads what its task uses: no YAML parser or schema for a known configuration, no pino for plain logs, only the adapters and HTTP client it needs', async () => {
    const { run, dir } = setup();
    const work = path.join(dir, 'work');
    mkdirSync(work);
    const task = ['run', 'Write a README', '--json', '--cwd', work];
    expect((await run(task)).code).toBe(0); // validates the configuration and remembers it
    const result = await run(task);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed' });
    expect(heavyPackages(result.packages)).toEqual([]);
    for (const name of ['yaml', 'pino', 'eventsource-parser', 'better-sqlite3']) expect(result.packages.has(name), name).toBe(name === 'better-sqlite3');
    const loaded = [...result.modules];
    // The generic fixture agent's adapter, and no other's (the failure fixes read where an embedded
    // model's file and runtime would be: that small module only); no HTTP probe (no agent has an endpoint).
    expect(loaded).toContain('adapters/generic/generic-adapter.js');
    const otherAdapters = loaded.filter((m) => /^adapters\/(claude-code|codex|copilot|gemini-cli|ollama|llama-cpp|openai-compatible|embedded|http)\//.test(m));
    expect(otherAdapters.filter((m) => m !== 'adapters/embedded/model-file.js')).toEqual([]);
    // Not a git repository: no checkpoints or worktrees; a configured workflow: no planner.
    for (const lazy of ['config/schema.js', 'config/load.js', 'workspace/checkpoint.js', 'workspace/worktree.js', 'workflow/planner.js', 'adapters/http-probe.js', 'context/project-scanner.js', 'context/source-outline.js', 'config/queue-url.js']) {
      expect(loaded, lazy).not.toContain(lazy);
    }
  });

  it('run without settings.queue runs the task without loading bullmq or ioredis', async () => {
    const { run } = setup();
    const result = await run(['run', 'say hello', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed' });
    expect(result.packages.has('better-sqlite3')).toBe(true);
    expect(result.packages.has('bullmq')).toBe(false);
    expect(result.packages.has('ioredis')).toBe(false);
  });

  it('run --queue loads the queue libraries, and an unreachable Redis is one clear line, exit 1', async () => {
    const { run, dir } = setup();
    execFileSync('git', ['init', '-q', dir]);
    const result = await run(['run', 'say hello', '--queue', '--queue-url', 'redis://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the queue at redis:\/\/127\.0\.0\.1:1 did not answer within 5 s \(is Redis running\?\)/);
    expect(result.packages.has('bullmq')).toBe(true);
    expect(result.packages.has('ioredis')).toBe(true);
  });

  it('metrics does load prom-client (the hook sees optional heavy packages)', async () => {
    const { run } = setup();
    const result = await run(['metrics', '--no-process']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.packages.has('prom-client')).toBe(true);
  });

  it('an unchanged configuration is read without the YAML parser or zod; a changed one is validated again', async () => {
    const { run, config, home } = setup();
    const first = await run(['workflows', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.packages.has('yaml')).toBe(true);
    expect(first.packages.has('zod')).toBe(true);

    const second = await run(['workflows', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.packages.has('yaml')).toBe(false);
    expect(second.packages.has('zod')).toBe(false);
    // The cache may hold configuration text: only the user can read it.
    expect(statSync(path.join(home, 'cache')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(home, 'cache', 'config.json')).mode & 0o777).toBe(0o600);

    writeFileSync(config, CONFIG.replace('task: implement', 'task: implemnt'));
    const broken = await run(['workflows']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/agents\.yaml:12:13 .*unknown role/);

    writeFileSync(config, CONFIG.replace('task: implement', 'task: review'));
    const fixed = await run(['workflows', '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ workflows: [{ name: 'default', steps: [{ agent: 'impl', task: 'review' }] }] });
  });
});
