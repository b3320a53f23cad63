/**
 * Orchestration overhead: a 3-step workflow (implement → review → refine) of instant fixture
 * agents submitted to the task service — the task row, working-tree claim, plan resolution,
 * generic CLI adapters through resilience, prompts, change detection, every event stored in the
 * task's sequenced log by the recorder — against the same three fixture processes spawned
 * directly one after the other. Also the CLI's start (`--version`, `agents`) against `node -e 0`.
 * Medians over repeated, interleaved runs. Target: ≤ 1.05× and ≤ 15 ms extra per workflow (the
 * same rows, beside the whole `run` and a before checkout: `npm run bench -- speed`).
 *
 *   npm run bench -- engine-overhead      (or: node --import tsx bench/engine-overhead.bench.ts)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import { createLogger } from '../src/observability/logger.js';
import { createTaskService, type TaskService } from '../src/service/task-service.js';
import { closeAllDatabases } from '../src/storage/database.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FAKE_CLI = path.join(ROOT, 'test/fixtures/bin/fake-cli.mjs');
const CLI = path.join(ROOT, 'dist/bin.js');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
const WARMUP = 2;
const TASK = 'Implement a REST API for user management';

const OUTPUTS = {
  impl: 'implemented the API',
  rev: 'Looks complete.\n```json\n{"suggestions": []}\n```',
  ref: 'refined: final answer',
} as const;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One process with the prompt on stdin, as the generic adapter runs it; resolves on close. */
function spawnOnce(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string, stdin?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdout?.resume();
    child.stderr?.resume();
    child.on('error', reject);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${String(code)}: ${err.slice(-2000)}`))));
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

async function directWorkflow(cwd: string): Promise<number> {
  const started = performance.now();
  for (const output of Object.values(OUTPUTS)) {
    // The environment a user's shell would give them (it matters: NODE_EXTRA_CA_CERTS alone adds
    // ~100 ms to every node start here, and the agents get it too).
    await spawnOnce(FAKE_CLI, [], { ...process.env, FAKE_STDOUT: output }, cwd, TASK);
  }
  return performance.now() - started;
}

function cliConfig() {
  return {
    agents: Object.fromEntries(
      Object.entries(OUTPUTS).map(([name, output]) => [name, { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: output } }]),
    ),
    workflows: {
      default: [
        { agent: 'impl', task: 'implement' },
        { agent: 'rev', task: 'review' },
        { agent: 'ref', task: 'refine' },
      ],
    },
    settings: { max_iterations: 3 },
  };
}

/** One service per process, as `serve` or `shell` keep it; memory and reports off (measured elsewhere). */
function engineSetup(home: string, cwd: string): TaskService {
  const config = configSchema.parse({ ...cliConfig(), settings: { max_iterations: 3, enable_context_memory: false, create_reports: false } });
  return createTaskService({ home, config, logger: createLogger({ level: 'error' }), baseDir: cwd });
}

async function engineWorkflow(service: TaskService, cwd: string): Promise<number> {
  const started = performance.now();
  const { done } = service.submit({ task: TASK, workflow: 'default', cwd, maxIterations: 3 });
  const outcome = await done;
  if (!outcome.success || outcome.steps.length !== 3) throw new Error(`engine run failed: ${outcome.reason}`);
  return performance.now() - started;
}

async function timeCommand(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  await spawnOnce(process.execPath, args, env, cwd);
  return performance.now() - started;
}

interface Row {
  readonly name: string;
  readonly baseline: string;
  readonly medianMs: number;
  readonly baselineMs: number;
}

export async function run(): Promise<void> {
  const loadBefore = os.loadavg()[0] ?? 0;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-engine-'));
  const home = path.join(scratch, 'home');
  const work = path.join(scratch, 'work');
  mkdirSync(home);
  mkdirSync(work);
  writeFileSync(path.join(work, 'README.md'), '# project\n');
  try {
    const setup = engineSetup(home, work);
    const direct: number[] = [];
    const engine: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      // Interleaved, alternating which goes first, so machine drift hits both alike.
      const pair = i % 2 === 0 ? [directWorkflow(work), null] : [null, engineWorkflow(setup, work)];
      const a = pair[0] ? await pair[0] : await engineWorkflow(setup, work);
      const b = pair[0] ? await engineWorkflow(setup, work) : await directWorkflow(work);
      if (i < WARMUP) continue;
      if (pair[0]) {
        direct.push(a);
        engine.push(b);
      } else {
        engine.push(a);
        direct.push(b);
      }
    }

    const cliEnv = { ...process.env, AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' };
    // The whole command as a user runs it (node start, config, database, reports): for context.
    const configFile = path.join(scratch, 'agents.yaml');
    writeFileSync(configFile, JSON.stringify(cliConfig()));
    const cliRun: number[] = [];
    const cliDirect: number[] = [];
    for (let i = 0; i < WARMUP + Math.ceil(RUNS / 2); i++) {
      const a = await timeCommand([CLI, 'run', TASK, '--json', '--config', configFile, '--cwd', work], cliEnv, work);
      const b = await directWorkflow(work);
      if (i < WARMUP) continue;
      cliRun.push(a);
      cliDirect.push(b);
    }

    const startup = { node: [] as number[], version: [] as number[], agents: [] as number[] };
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const node = await timeCommand(['-e', '0'], cliEnv, work);
      const version = await timeCommand([CLI, '--version'], cliEnv, work);
      const agents = await timeCommand([CLI, 'agents'], cliEnv, work);
      if (i < WARMUP) continue;
      startup.node.push(node);
      startup.version.push(version);
      startup.agents.push(agents);
    }

    const rows: Row[] = [
      { name: '3-step workflow via the task service (event log on)', baseline: '3 fixture processes spawned directly', medianMs: median(engine), baselineMs: median(direct) },
      { name: 'ai-orchestrator run (whole CLI)', baseline: '3 fixture processes spawned directly', medianMs: median(cliRun), baselineMs: median(cliDirect) },
      { name: 'ai-orchestrator --version', baseline: 'node -e 0', medianMs: median(startup.version), baselineMs: median(startup.node) },
      { name: 'ai-orchestrator agents', baseline: 'node -e 0', medianMs: median(startup.agents), baselineMs: median(startup.node) },
    ];
    const table = [
      ['measurement', 'median ms', 'baseline', 'baseline ms', 'ratio', 'extra ms'],
      ...rows.map((r) => [
        r.name,
        r.medianMs.toFixed(1),
        r.baseline,
        r.baselineMs.toFixed(1),
        `${(r.medianMs / r.baselineMs).toFixed(3)}×`,
        (r.medianMs - r.baselineMs).toFixed(1),
      ]),
    ];
    const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
    for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
    const workflow = rows[0];
    const json = {
      benchmark: 'engine-overhead',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.release()}` },
      runs: RUNS,
      /** 1-minute load average before and after: this is a shared machine, read the ratios with it. */
      load: { before: round(loadBefore, 2), after: round(os.loadavg()[0] ?? 0, 2) },
      workflow: workflow
        ? {
            engine_median_ms: round(workflow.medianMs),
            direct_median_ms: round(workflow.baselineMs),
            ratio: round(workflow.medianMs / workflow.baselineMs, 3),
            extra_ms: round(workflow.medianMs - workflow.baselineMs),
            target: { ratio: 1.05, extra_ms: 15 },
            within_target: workflow.medianMs / workflow.baselineMs <= 1.05 && workflow.medianMs - workflow.baselineMs <= 15,
          }
        : null,
      cli_run: { median_ms: round(median(cliRun)), direct_median_ms: round(median(cliDirect)) },
      startup: {
        node_e0_median_ms: round(median(startup.node)),
        version_median_ms: round(median(startup.version)),
        agents_median_ms: round(median(startup.agents)),
      },
    };
    console.log(JSON.stringify(json, null, 2));
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/engine-overhead.json'), `${JSON.stringify(json, null, 2)}\n`);
  } finally {
    closeAllDatabases();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
