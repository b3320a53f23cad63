/**
 * The task event log: (1) how soon a `tasks watch --json` in another process prints an event
 * after this process stored it (p50, p99), against the 250 ms poll that backs the file watch;
 * (2) how long replaying a task of 10,000 events takes — in-process through the service's watch
 * and as a whole `tasks watch --json` command — against `node -e 0`.
 *
 *   npm run bench -- event-log
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import type { OrchestratorEvent } from '../src/events/events.js';
import { createLogger } from '../src/observability/logger.js';
import { createTaskService } from '../src/service/task-service.js';
import { closeAllDatabases, databasePath, openDatabase } from '../src/storage/database.js';
import { createEventLog } from '../src/tasks/event-log.js';
import { createTaskRecorder } from '../src/tasks/task-recorder.js';
import { createTaskStore } from '../src/tasks/task-store.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist/bin.js');
const LATENCY_EVENTS = Number(process.env['BENCH_EVENTS'] ?? 300);
const REPLAY_EVENTS = 10_000;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function openWriter(home: string) {
  const db = openDatabase(databasePath(home));
  const store = createTaskStore(db);
  const recorder = createTaskRecorder(db, store, createEventLog(db));
  const task = store.create({ task: 'bench', workflow: 'w', maxIterations: 1, cwd: home });
  store.claimWorkingTree(task.id);
  store.start(task.id);
  return { store, recorder, taskId: task.id };
}

function stderrEvent(taskId: string, line: string): OrchestratorEvent {
  return { type: 'agent.stderr', taskId, timestamp: new Date().toISOString(), iteration: 1, index: 0, agent: 'bench', line };
}

function finished(taskId: string): OrchestratorEvent {
  return {
    type: 'task.finished', taskId, timestamp: new Date().toISOString(), status: 'completed', success: true, stopReason: 'converged',
    reason: 'bench', iterations: 1, finalOutput: '', durationMs: 0, usage: { inputTokens: 0, outputTokens: 0 },
  };
}

/** Spawns `tasks watch --json`; calls onLine with each line and the time it arrived. */
function watcher(home: string, taskId: string, onLine: (line: string, at: number) => void): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'tasks', 'watch', taskId, '--json'], {
    env: { ...process.env, AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const at = now();
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) onLine(line, at);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
}

async function latency(home: string): Promise<number[]> {
  const { recorder, taskId } = openWriter(home);
  const samples: number[] = [];
  let ready = false;
  const exited = watcher(home, taskId, (line, at) => {
    const event = JSON.parse(line) as { type: string; line?: string };
    if (event.type !== 'agent.stderr' || event.line === undefined) return;
    if (event.line === 'ready') ready = true;
    else samples.push(at - Number(event.line));
  });
  recorder.record(stderrEvent(taskId, 'ready'));
  while (!ready) await sleep(10);
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    recorder.record(stderrEvent(taskId, String(now())));
    await sleep(10 + Math.random() * 10);
  }
  recorder.record(finished(taskId));
  await exited;
  return samples;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

function spawnTime(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return timed(
    () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', reject);
        child.on('close', () => resolve());
      }),
  );
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-events-'));
  try {
    const loadBefore = os.loadavg()[0] ?? 0;
    const samples = await latency(path.join(scratch, 'latency'));
    closeAllDatabases();

    const replayHome = path.join(scratch, 'replay');
    const { recorder, taskId } = openWriter(replayHome);
    for (let i = 0; i < REPLAY_EVENTS - 1; i++) {
      recorder.record({ type: 'step.output', taskId, timestamp: new Date().toISOString(), iteration: 1, index: 0, agent: 'bench', event: { type: 'text-delta', text: `token ${i} ` } });
    }
    recorder.record(finished(taskId));
    const config = configSchema.parse({ agents: {}, workflows: {} });
    const service = createTaskService({ home: replayHome, config, logger: createLogger({ level: 'silent' }), baseDir: scratch });
    const inProcess: number[] = [];
    const command: number[] = [];
    const nodeStart: number[] = [];
    const env = { ...process.env, AI_ORCHESTRATOR_HOME: replayHome, NO_COLOR: '1' };
    for (let i = 0; i < RUNS + 1; i++) {
      let count = 0;
      const ms = await timed(async () => {
        for await (const stored of service.watch(taskId)) count += stored.seq > 0 ? 1 : 0;
      });
      if (count !== REPLAY_EVENTS) throw new Error(`replayed ${count} events, expected ${REPLAY_EVENTS}`);
      const cli = await spawnTime([CLI, 'tasks', 'watch', taskId, '--json'], env);
      const node = await spawnTime(['-e', '0'], env);
      if (i === 0) continue; // warm-up
      inProcess.push(ms);
      command.push(cli);
      nodeStart.push(node);
    }
    const json = {
      benchmark: 'event-log',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      load: { before: Math.round(loadBefore * 100) / 100, after: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
      watch_latency_ms: {
        events: samples.length,
        p50: round(percentile(samples, 50)),
        p99: round(percentile(samples, 99)),
        max: round(Math.max(...samples)),
        poll_fallback_ms: 250,
      },
      replay_10k: {
        events: REPLAY_EVENTS,
        in_process_median_ms: round(percentile(inProcess, 50)),
        tasks_watch_json_median_ms: round(percentile(command, 50)),
        node_e0_median_ms: round(percentile(nodeStart, 50)),
      },
    };
    console.log(JSON.stringify(json, null, 2));
  } finally {
    closeAllDatabases();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
