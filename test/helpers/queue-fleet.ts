/**
 * A queue-mode fleet for tests, all real processes of the built CLI: a repository, an agents.yaml
 * with the queue fixture agents (test/fixtures/bin/queue-agent.mjs), `worker` processes each with
 * its own home, and a coordinator (`serve --queue`) answering on a free port. Everything started
 * is stopped by `stop()`, including agents a killed worker left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { StoredEvent } from '../../src/events/events.js';
import { databasePath, openDatabase } from '../../src/storage/database.js';
import { createEventLog } from '../../src/tasks/event-log.js';
import { openTaskStore } from '../../src/tasks/open-task-store.js';
import type { TaskRecord } from '../../src/tasks/task-store.js';
import { CLI, REPO_ROOT, tempDir } from './cli.js';
import { isAlive } from './fake-cli.js';
import { gitRepo } from './git-repo.js';

export const QUEUE_AGENT = path.join(REPO_ROOT, 'test/fixtures/bin/queue-agent.mjs');
export const TOKEN = 'queue-test-token-0123456789';

/** One run of a fixture agent, as it logged itself. */
export interface AgentRun {
  readonly name: string;
  readonly pid: number;
  readonly cwd: string;
  readonly files: readonly string[];
}

export interface FleetOptions {
  readonly redisUrl: string;
  /** settings.queue.name: each test its own, so workers of one never take another's jobs. */
  readonly name: string;
  /** How long the `slow` agent sleeps (ms). */
  readonly slowMs?: number;
  /** How long the `writer` agent sleeps (ms). */
  readonly writerMs?: number;
  /** agents.<name>.resilience.max_concurrency per agent. */
  readonly maxConcurrency?: Readonly<Record<string, number>>;
  /** More workflows of these agents (by name, as in agents.yaml). */
  readonly workflows?: Readonly<Record<string, readonly { readonly agent: string; readonly task: string }[]>>;
  /** The built CLI its processes run (default this checkout's): a benchmark runs another build beside it. */
  readonly cli?: string;
}

/** When one run of a fixture agent ran (epoch ms, as it measured itself). */
export interface AgentInterval {
  readonly name: string;
  readonly pid: number;
  readonly start: number;
  readonly end: number;
}

export interface WorkerProcess {
  readonly name: string;
  readonly home: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

export interface Coordinator {
  readonly url: string;
  readonly home: string;
  readonly child: ChildProcess;
  /** POST /api/execute; the task id. */
  submit(body: Record<string, unknown>): Promise<string>;
  api(method: string, route: string): Promise<Response>;
}

export interface Fleet {
  readonly root: string;
  readonly repo: string;
  readonly configFile: string;
  startWorker(name: string, args?: readonly string[]): Promise<WorkerProcess>;
  startCoordinator(): Promise<Coordinator>;
  /** Runs the CLI with the coordinator's home, in the repository. */
  cli(args: readonly string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  agentRuns(): AgentRun[];
  /** The runs that have ended, with when they ran. */
  agentIntervals(): AgentInterval[];
  task(home: string, taskId: string): TaskRecord | undefined;
  events(home: string, taskId: string): StoredEvent[];
  waitForTask(home: string, taskId: string, done: (task: TaskRecord) => boolean, timeoutMs?: number): Promise<TaskRecord>;
  stop(): Promise<void>;
}

export function createFleet(options: FleetOptions): Fleet {
  const root = tempDir('aio-fleet-');
  const repo = gitRepo({ 'a.txt': 'a\n' });
  const log = path.join(root, 'agents.log');
  const intervals = path.join(root, 'agents.intervals');
  const configFile = path.join(root, 'agents.yaml');
  const agent = (name: string, env: Record<string, string>) => {
    const max = options.maxConcurrency?.[name];
    return {
      type: 'generic',
      command: QUEUE_AGENT,
      env: { QA_NAME: name, QA_LOG: log, QA_INTERVALS: intervals, ...env },
      ...(max === undefined ? {} : { resilience: { max_concurrency: max } }),
    };
  };
  writeFileSync(
    configFile,
    stringify({
      agents: {
        writer: agent('writer', { QA_WRITE: 'one.txt', QA_SLEEP_MS: String(options.writerMs ?? 0) }),
        slow: agent('slow', { QA_WRITE: 'two.txt', QA_SLEEP_MS: String(options.slowMs ?? 1_000) }),
        reviewer: agent('reviewer', { QA_SAY: 'LGTM' }),
      },
      workflows: {
        default: [{ agent: 'writer', task: 'implement' }, { agent: 'slow', task: 'implement' }, { agent: 'reviewer', task: 'review' }],
        quick: [{ agent: 'writer', task: 'implement' }, { agent: 'reviewer', task: 'review' }],
        ...options.workflows,
      },
      settings: { max_iterations: 1, create_reports: false, enable_context_memory: false, queue: { url: options.redisUrl, name: options.name, stall_timeout: 2 } },
    }),
  );
  const children: ChildProcess[] = [];
  const env = (home: string): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', AI_ORCHESTRATOR_HOME: home, AI_ORCHESTRATOR_TOKEN: TOKEN });

  function launch(args: readonly string[], home: string, cwd: string): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
    mkdirSync(home, { recursive: true });
    const child = spawn(process.execPath, [options.cli ?? CLI, '--config', configFile, ...args], { cwd, env: env(home), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, out: () => out, err: () => err, exited };
  }

  const fleet: Fleet = {
    root,
    repo,
    configFile,
    async startWorker(name, args = []) {
      const home = path.join(root, `worker-${name}`);
      const started = launch(['worker', '--name', name, ...args], home, root);
      await until(() => /worker \S+ ready/.test(started.err()) || started.child.exitCode !== null, 20_000, `worker ${name} to start`);
      if (started.child.exitCode !== null) throw new Error(`worker ${name} exited: ${started.err()}`);
      return { name, home, child: started.child, stdout: started.out, stderr: started.err, exited: started.exited };
    },
    async startCoordinator() {
      const home = path.join(root, 'coordinator');
      const started = launch(['serve', '--port', '0', '--cwd', repo], home, repo);
      await until(() => /serving on http/.test(started.out()) || started.child.exitCode !== null, 20_000, 'the coordinator to start');
      const url = /serving on (http:\/\/\S+)/.exec(started.out())?.[1];
      if (!url) throw new Error(`serve did not start: ${started.err()}`);
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      return {
        url,
        home,
        child: started.child,
        async submit(body) {
          const response = await fetch(`${url}/api/execute`, { method: 'POST', headers, body: JSON.stringify(body) });
          const json = (await response.json()) as { task_id?: string };
          if (response.status !== 202 || !json.task_id) throw new Error(`submit answered ${response.status}: ${JSON.stringify(json)}`);
          return json.task_id;
        },
        api: (method, route) => fetch(`${url}${route}`, { method, headers: { authorization: headers.authorization } }),
      };
    },
    cli(args, home) {
      const started = launch(args, home, repo);
      return started.exited.then((code) => ({ code, stdout: started.out(), stderr: started.err() }));
    },
    agentRuns() {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as AgentRun);
    },
    agentIntervals() {
      if (!existsSync(intervals)) return [];
      return readFileSync(intervals, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const [name = '', pid, start, end] = line.split(' ');
          return { name, pid: Number(pid), start: Number(start), end: Number(end) };
        });
    },
    task(home, taskId) {
      return openTaskStore(home).store.get(taskId);
    },
    events(home, taskId) {
      return createEventLog(openDatabase(databasePath(home))).read(taskId);
    },
    async waitForTask(home, taskId, done, timeoutMs = 40_000) {
      let last: TaskRecord | undefined;
      await until(() => {
        last = fleet.task(home, taskId);
        return last !== undefined && done(last);
      }, timeoutMs, `task ${taskId.slice(0, 8)} (now ${last?.status ?? 'missing'})`);
      if (!last) throw new Error('unreachable');
      return last;
    },
    async stop() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // Agents of a killed worker are in their own process groups: they outlive it.
      for (const run of fleet.agentRuns()) if (isAlive(run.pid)) process.kill(run.pid, 'SIGKILL');
      const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
      await Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve))));
    },
  };
  return fleet;
}

export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
