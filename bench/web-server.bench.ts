/**
 * The web server under load: 50 tasks of instant fixture agents submitted through POST
 * /api/execute, each followed by its own SSE watcher (50 at once). Checks that every watcher got
 * every event of its task exactly once, in seq order; measures store → client delivery (p50, p99)
 * against an in-process `service.watch` of the same tasks (no HTTP), and the process's peak RSS
 * against its RSS when idle. Then the UI: its bytes (JS + CSS, gzipped) and the time until the
 * new-task form is usable in chromium (median of 5 loads), against a blank page's load.
 *
 *   npm run bench -- web-server
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server/start-server.js';
import type { TaskService } from '../src/service/task-service.js';
import { closeAllDatabases } from '../src/storage/database.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FAKE_CLI = path.join(ROOT, 'test/fixtures/bin/fake-cli.mjs');
const TASKS = Number(process.env['BENCH_TASKS'] ?? 50);
/** settings.max_parallel_tasks of the bursts: all at once, and the default (4). */
const PARALLEL = (process.env['BENCH_PARALLEL'] ?? '50,4').split(',').map(Number);
const TOKEN = 'bench-token-0123456789abcdef';
const REVIEW_OK = 'ok\n```json\n{"suggestions": []}\n```';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}
const median = (values: readonly number[]): number => percentile(values, 50);

interface ClientResult {
  readonly taskId: string;
  readonly seqs: number[];
  /** Delivery times of the events stored after the watcher was connected (replayed ones excluded). */
  readonly latencies: number[];
}

/**
 * The HTTP clients run in a worker thread, with their own event loop, as browsers would be: each
 * submits its task and opens its SSE watcher at once, all of them at the same time.
 */
const CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, count } = workerData;
async function client(i) {
  const response = await fetch(url + '/api/execute', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
    body: JSON.stringify({ task: 'bench task ' + i, cwd: 'w' + i, client_id: 'bench-' + i }),
  });
  const taskId = (await response.json()).task_id;
  parentPort.postMessage({ submitted: taskId });
  const stream = await fetch(url + '/api/tasks/' + taskId + '/events', { headers: { authorization: 'Bearer ' + token } });
  const connectedAt = Date.now();
  const seqs = [];
  const latencies = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of stream.body) {
    const at = Date.now();
    buffer += decoder.decode(chunk, { stream: true });
    const frames = buffer.split('\\n\\n');
    buffer = frames.pop();
    for (const frame of frames) {
      const id = /^id: (\\d+)$/m.exec(frame);
      const data = /^data: (.*)$/m.exec(frame);
      if (!id || !data) continue;
      const stamp = Date.parse(JSON.parse(data[1]).timestamp);
      seqs.push(Number(id[1]));
      if (stamp >= connectedAt) latencies.push(at - stamp);
    }
  }
  return { taskId, seqs, latencies };
}
Promise.all(Array.from({ length: count }, (_, i) => client(i))).then((results) => parentPort.postMessage({ results }));
`;

export async function run(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-web-'));
  console.log(`\n${TASKS} tasks through POST /api/execute, ${TASKS} SSE watchers; 1-minute load before: ${os.loadavg()[0]?.toFixed(1)}`);
  console.log('| max_parallel_tasks | completed | events (live) | lost | duplicated | stored → SSE client p50 / p99 / max | in-process service.watch p50 / p99 / max (baseline) | peak RSS (idle) | wall |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  // All fifty at once (the worst case), then the default limit, which queues the rest.
  for (const parallel of PARALLEL) await burst(root, parallel);
  console.log(`1-minute load after: ${os.loadavg()[0]?.toFixed(1)}`);
  await uiFigures(root);
}

async function burst(root: string, parallel: number): Promise<void> {
  const home = path.join(root, `home-${parallel}`);
  mkdirSync(home);
  const configFile = path.join(root, 'agents.yaml');
  writeFileSync(
    configFile,
    stringify({
      agents: {
        coder: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'done' } },
        checker: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: REVIEW_OK } },
      },
      workflows: { default: [{ agent: 'coder', task: 'implement' }, { agent: 'checker', task: 'review' }] },
      settings: { create_reports: false, enable_context_memory: false, max_iterations: 1, max_parallel_tasks: parallel },
    }),
  );
  for (let i = 0; i < TASKS; i++) mkdirSync(path.join(root, `w${i}`), { recursive: true });
  const server = await startServer({
    host: '127.0.0.1', port: 0, home, env: { AI_ORCHESTRATOR_HOME: home, AI_ORCHESTRATOR_TOKEN: TOKEN }, workspace: root, configPath: configFile,
    logger: createLogger({ level: 'silent' }), print: () => undefined, handleSignals: false,
  });
  const idleRss = process.memoryUsage().rss;
  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);

  const started = performance.now();
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const childrenBefore = childrenCpuMs();
  const baselines: Promise<number[]>[] = [];
  const worker = new Worker(CLIENTS, { eval: true, workerData: { url: server.url, token: TOKEN, count: TASKS } });
  const results = await new Promise<ClientResult[]>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (message: { submitted?: string; results?: ClientResult[] }) => {
      if (message.submitted) baselines.push(followInProcess(server.service, message.submitted));
      if (message.results) resolve(message.results);
    });
  });
  await worker.terminate();
  const baseline = (await Promise.all(baselines)).flat();
  const wall = performance.now() - started;
  const loopBusy = performance.eventLoopUtilization(loopBefore).utilization;
  const cpu = process.cpuUsage(cpuBefore);
  const childrenCpu = childrenCpuMs() - childrenBefore;
  clearInterval(sampler);

  let lost = 0;
  let duplicated = 0;
  let completed = 0;
  for (const result of results) {
    const stored = server.service.events(result.taskId).map((e) => e.seq);
    duplicated += result.seqs.length - new Set(result.seqs).size;
    lost += stored.filter((seq) => !result.seqs.includes(seq)).length;
    if (server.service.get(result.taskId)?.status === 'completed') completed += 1;
  }
  const latencies = results.flatMap((r) => r.latencies);
  await server.close();
  closeAllDatabases();

  const delivered = results.reduce((sum, r) => sum + r.seqs.length, 0);
  const figures = (values: readonly number[]): string => `${median(values)} / ${percentile(values, 99)} / ${Math.max(...values)} ms`;
  console.log(
    `| ${parallel} | ${completed}/${TASKS} | ${delivered} (${latencies.length}) | ${lost} | ${duplicated} | ${figures(latencies)} | ${figures(baseline)} | ${(peakRss / 1048576).toFixed(0)} MB (${(idleRss / 1048576).toFixed(0)} MB) | ${(wall / 1000).toFixed(1)} s |`,
  );
  // Where the machine's time went: the server's event loop, this process (server and the clients'
  // thread) and the agent processes it started, against the wall time of the two cores.
  console.log(
    `  max_parallel_tasks ${parallel}: server event loop busy ${(loopBusy * 100).toFixed(0)} %; CPU: this process ${((cpu.user + cpu.system) / 1000 / 1000).toFixed(1)} s, agent processes (and git) ${(childrenCpu / 1000).toFixed(1)} s, in ${(wall / 1000).toFixed(1)} s × ${os.availableParallelism()} cores`,
  );
}

/** CPU time of this process's children that have been waited for (utime + stime in /proc/self/stat). */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, so cutime and cstime (fields 16 and 17) are at 13 and 14.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Baseline: the same task followed in this process through service.watch, without HTTP. */
async function followInProcess(service: TaskService, taskId: string): Promise<number[]> {
  const from = Date.now();
  const latencies: number[] = [];
  for await (const stored of service.watch(taskId)) {
    const at = Date.parse(stored.event.timestamp);
    if (at >= from) latencies.push(Date.now() - at);
  }
  return latencies;
}

async function uiFigures(root: string): Promise<void> {
  const dir = path.join(ROOT, 'dist/ui/assets');
  if (!existsSync(dir)) {
    console.log('dist/ui missing: run npm run build for the UI figures');
    return;
  }
  const assets = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  const bytes = assets.map((f) => ({ f, raw: readFileSync(path.join(dir, f)).length, gz: gzipSync(readFileSync(path.join(dir, f)), { level: 9 }).length }));
  console.log(`UI assets: ${bytes.map((b) => `${b.f} ${b.raw} B (${b.gz} B gzipped)`).join(', ')}; total gzipped ${bytes.reduce((s, b) => s + b.gz, 0)} B`);
  if (!existsSync('/usr/bin/chromium')) return;

  const home = path.join(root, 'home-ui');
  mkdirSync(home);
  const configFile = path.join(root, 'agents.yaml');
  const server = await startServer({
    host: '127.0.0.1', port: 0, home, env: { AI_ORCHESTRATOR_HOME: home, AI_ORCHESTRATOR_TOKEN: TOKEN }, workspace: root, configPath: configFile,
    logger: createLogger({ level: 'silent' }), print: () => undefined, handleSignals: false,
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  const ready: number[] = [];
  const blank: number[] = [];
  for (let i = 0; i < 6; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.loginLink().replace(/#.*/, ''), { waitUntil: 'commit' });
    const t0 = Date.now();
    await page.goto(`${server.url}/#/new`);
    await page.locator('#workflow option').first().waitFor({ state: 'attached' });
    const t1 = Date.now();
    const b0 = Date.now();
    await page.goto(`${server.url}/health`);
    const b1 = Date.now();
    if (i > 0) {
      ready.push(t1 - t0);
      blank.push(b1 - b0);
    }
    await context.close();
  }
  await browser.close();
  await server.close();
  closeAllDatabases();
  console.log(`UI time to a usable new-task form (workflows loaded), median of ${ready.length}: ${median(ready)} ms; baseline GET /health in the same browser: ${median(blank)} ms`);
}
