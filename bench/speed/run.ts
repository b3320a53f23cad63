/**
 * The whole `run`: a 3-step workflow (implement → review → refine) of instant fixture agents
 * (test/fixtures/bin/fake-cli.mjs printing a fixed answer) against the same three processes
 * spawned directly one after the other (prompt on stdin, the user's environment). Measured as a
 * user runs it (`ai-orchestrator run … --json` in a home that keeps its memory between runs:
 * node's start, modules, configuration, database, memory, plan, the steps, reports, the audit
 * log) and as submitted to a task service kept open in this process (its own and the engine's
 * work: task row, claim, plan, resilience, change detection, the event log; memory and reports
 * off). Every measurement of every checkout runs in the same rounds, in a non-git directory; the
 * in-process comparison (direct spawns and each checkout's service) in rounds of its own, three
 * times as many.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Checkout, ServiceModules } from './checkout.js';
import { timeNodeOk } from './processes.js';
import type { SpeedContext, SpeedSection } from './section.js';
import { interleave, median } from './stats.js';

const FAKE_CLI = path.resolve(import.meta.dirname, '../../test/fixtures/bin/fake-cli.mjs');
const TASK = 'Implement a REST API for user management';
const OUTPUTS = { impl: 'implemented the API', rev: 'Looks complete.\n```json\n{"suggestions": []}\n```', ref: 'refined: final answer' } as const;
/** The whole `run` may add this much to the three processes it starts. */
const RUN_EXTRA_MS = 200;
/** The service's own overhead: at most this ratio and this many milliseconds. */
const SERVICE_RATIO = 1.05;
const SERVICE_EXTRA_MS = 15;
/** Rounds of the in-process comparison per round of the rest. */
const SERVICE_ROUNDS = 3;

function fixtureConfig() {
  return {
    agents: Object.fromEntries(Object.entries(OUTPUTS).map(([name, output]) => [name, { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: output } }])),
    workflows: { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }, { agent: 'ref', task: 'refine' }] },
    settings: { max_iterations: 3 },
  };
}

/** One fixture process, prompt on stdin, as the generic adapter runs it. */
function spawnFixture(output: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(FAKE_CLI, [], { cwd, env: { ...process.env, FAKE_STDOUT: output }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fixture exited ${String(code)}`))));
    child.stdin.end(TASK);
  });
}

/** CPU milliseconds this process spent in each kind of run (the machine's load barely moves them). */
const cpu = new Map<string, number[]>();

async function withCpu(key: string, run: () => Promise<number>): Promise<number> {
  const before = process.cpuUsage();
  const ms = await run();
  const used = process.cpuUsage(before);
  cpu.set(key, [...(cpu.get(key) ?? []), (used.user + used.system) / 1000]);
  return ms;
}

async function direct(cwd: string): Promise<number> {
  const started = performance.now();
  for (const output of Object.values(OUTPUTS)) await spawnFixture(output, cwd);
  return performance.now() - started;
}

interface Side {
  readonly checkout: Checkout;
  readonly cliRun: () => Promise<number>;
  /** The same command with its own CPU time recorded at exit (a separate run: the hook costs a little). */
  readonly cliCpuRun: () => Promise<number>;
  /** CPU milliseconds of each recorded run of the command. */
  readonly cliCpu: () => number[];
  readonly serviceRun: () => Promise<number>;
}

const CPU_AT_EXIT = pathToFileURL(path.join(import.meta.dirname, 'cpu-at-exit.mjs')).href;

async function prepareSide(context: SpeedContext, checkout: Checkout, index: number): Promise<Side> {
  const dir = path.join(context.scratch, `run-${index}`);
  const home = path.join(dir, 'home');
  const work = path.join(dir, 'work');
  mkdirSync(home, { recursive: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, 'README.md'), '# project\n');
  const configFile = path.join(dir, 'agents.json');
  writeFileSync(configFile, JSON.stringify(fixtureConfig()));
  const env = { ...process.env, AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' };
  const modules: ServiceModules = await checkout.service();
  const config = modules.configSchema.parse({ ...fixtureConfig(), settings: { max_iterations: 3, enable_context_memory: false, create_reports: false } });
  const service = modules.createTaskService({ home: path.join(dir, 'service-home'), config, logger: modules.createLogger({ level: 'error' }), baseDir: work });
  const args = [checkout.cli, 'run', TASK, '--json', '--config', configFile, '--cwd', work];
  const cpuFile = path.join(dir, 'cpu.txt');
  return {
    checkout,
    cliRun: () => timeNodeOk(args, { cwd: work, env }),
    // Agents never get NODE_OPTIONS (their environment is an allowlist): only the command is measured.
    cliCpuRun: () => timeNodeOk(args, { cwd: work, env: { ...env, NODE_OPTIONS: `--import ${CPU_AT_EXIT}`, BENCH_CPU_FILE: cpuFile } }),
    cliCpu: () => (existsSync(cpuFile) ? readFileSync(cpuFile, 'utf8').trim().split('\n').map(Number) : []),
    async serviceRun() {
      const started = performance.now();
      const outcome = await service.submit({ task: TASK, workflow: 'default', cwd: work, maxIterations: 3 }).done;
      if (!outcome.success || outcome.steps.length !== 3) throw new Error(`${checkout.label}: the task failed: ${outcome.reason}`);
      return performance.now() - started;
    },
  };
}

export const runSection: SpeedSection = {
  name: 'run',
  async measure(context) {
    const checkouts = context.before ? [context.current, context.before] : [context.current];
    const sides = await Promise.all(checkouts.map((checkout, i) => prepareSide(context, checkout, i)));
    const work = path.join(context.scratch, 'run-direct');
    mkdirSync(work, { recursive: true });
    writeFileSync(path.join(work, 'README.md'), '# project\n');
    const samples = await interleave(
      [() => direct(work), ...sides.map((side) => side.cliRun), ...sides.map((side) => side.cliCpuRun)],
      context.runs,
      context.warmup,
    );
    // The in-process runs are quick and differ from the direct spawns by a few milliseconds, less
    // than a loaded machine's noise: they get rounds of their own, SERVICE_ROUNDS times as many.
    const serviceSamples = await interleave(
      [() => withCpu('direct', () => direct(work)), ...sides.map((side, i) => () => withCpu(`service-${i}`, side.serviceRun))],
      context.runs * SERVICE_ROUNDS,
      context.warmup,
    );
    // What the service adds on this process's CPU: its runs' CPU less the direct spawns' (medians).
    const directCpu = median(cpu.get('direct') ?? []);
    const [serviceCpuNow, serviceCpuBefore] = sides.map((_, i) => median(cpu.get(`service-${i}`) ?? []) - directCpu);
    const directMs = median(samples[0] ?? []);
    const cli = sides.map((_, i) => median(samples[1 + i] ?? []));
    const serviceDirectMs = median(serviceSamples[0] ?? []);
    const service = sides.map((_, i) => median(serviceSamples[1 + i] ?? []));
    const baseline = { name: '3 fixture processes spawned directly', value: directMs };
    const serviceBaseline = { name: `3 fixture processes spawned directly (${SERVICE_ROUNDS}× the rounds)`, value: serviceDirectMs };
    const [cliNow, cliBefore] = cli;
    const [serviceNow, serviceBefore] = service;
    return [
      {
        section: 'run',
        name: 'ai-orchestrator run, 3-step workflow (whole CLI)',
        unit: 'ms',
        value: cliNow ?? 0,
        baseline,
        ...(cliBefore === undefined ? {} : { before: cliBefore }),
        target: { text: `≤ baseline + ${RUN_EXTRA_MS} ms (+${((cliNow ?? 0) - directMs).toFixed(0)})`, met: (cliNow ?? 0) - directMs <= RUN_EXTRA_MS },
      },
      {
        section: 'run',
        name: '3-step workflow via the task service (in-process)',
        unit: 'ms',
        value: serviceNow ?? 0,
        baseline: serviceBaseline,
        ...(serviceBefore === undefined ? {} : { before: serviceBefore }),
        target: {
          text: `≤ ${SERVICE_RATIO}× and ≤ +${SERVICE_EXTRA_MS} ms (+${((serviceNow ?? 0) - serviceDirectMs).toFixed(1)})`,
          met: (serviceNow ?? 0) <= SERVICE_RATIO * serviceDirectMs && (serviceNow ?? 0) - serviceDirectMs <= SERVICE_EXTRA_MS,
        },
      },
      {
        section: 'run',
        name: 'ai-orchestrator run: CPU of the command process itself (agents not counted)',
        unit: 'ms',
        value: median((sides[0]?.cliCpu() ?? []).slice(context.warmup)),
        ...(sides[1] ? { before: median(sides[1].cliCpu().slice(context.warmup)) } : {}),
      },
      {
        section: 'run',
        name: "the task service's own CPU per task (its runs' CPU less the direct spawns')",
        unit: 'ms',
        value: serviceCpuNow ?? 0,
        ...(serviceCpuBefore === undefined ? {} : { before: serviceCpuBefore }),
      },
    ];
  },
};
