/**
 * Bounded memory and disk with an agent that floods stdout: `ai-orchestrator run --json` of a
 * one-step workflow whose generic agent prints 300 MB (in 100-byte lines, and as one line without
 * a newline), measured with `/usr/bin/time -v` (peak RSS), against the same command with an agent
 * printing 1 KB. Also checks that the printed JSON parses, that `tasks show --json` works and how
 * much the home directory holds afterwards. Medians over BENCH_RUNS runs (default 3), interleaved.
 * Target: peak RSS ≤ 300 MB.
 *
 *   npm run bench -- output-flood      (or: node --import tsx bench/output-flood.bench.ts)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist/bin.js');
const FLOOD_AGENT = path.join(ROOT, 'test/fixtures/bin/flood-agent.mjs');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const MB = 1024 * 1024;

interface Case {
  readonly name: string;
  readonly bytes: number;
  readonly lineBytes: number;
}

const CASES: readonly Case[] = [
  { name: 'baseline: 1 KB of output', bytes: 1024, lineBytes: 100 },
  { name: '300 MB in 100-byte lines', bytes: 300 * MB, lineBytes: 100 },
  { name: '300 MB as one line', bytes: 300 * MB, lineBytes: 0 },
];

interface Measured {
  readonly rssMb: number;
  readonly seconds: number;
  readonly jsonBytes: number;
  readonly showOk: boolean;
  readonly homeMb: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(full) : statSync(full).size;
  }
  return total;
}

function measureOnce(c: Case): Measured {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-flood-'));
  const home = path.join(dir, 'home');
  const work = mkdtempSync(path.join(dir, 'work-'));
  const config = path.join(dir, 'agents.yaml');
  writeFileSync(
    config,
    stringify({
      agents: {
        flood: {
          type: 'generic',
          command: FLOOD_AGENT,
          timeout: 600,
          env: { FLOOD_BYTES: String(c.bytes), FLOOD_LINE_BYTES: String(c.lineBytes), FLOOD_HEAD: 'HEAD', FLOOD_TAIL: 'TAIL' },
        },
      },
      workflows: { default: [{ agent: 'flood', task: 'implement' }] },
      settings: { max_iterations: 1 },
    }),
  );
  const env = { ...process.env, AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' };
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, 'run', 'flood', '--json', '--quiet', '--config', config, '--cwd', work], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * MB,
  });
  const seconds = (performance.now() - started) / 1000;
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  if (run.status !== 0) throw new Error(`run failed (${String(run.status)}): ${run.stderr.slice(-2000)}`);
  const result = JSON.parse(run.stdout) as { task_id: string; final_output: string };
  if (!result.final_output.includes('TAIL')) throw new Error('the tail of the output was lost');
  const show = spawnSync(process.execPath, [CLI, 'tasks', 'show', result.task_id, '--json'], { env, encoding: 'utf8', maxBuffer: 64 * MB });
  const showOk = show.status === 0 && (JSON.parse(show.stdout) as { task_id: string }).task_id === result.task_id;
  const homeMb = directorySize(home) / MB;
  rmSync(dir, { recursive: true, force: true });
  return { rssMb: rssKb / 1024, seconds, jsonBytes: Buffer.byteLength(run.stdout), showOk, homeMb };
}

export function run(): Promise<void> {
  const results = new Map<string, Measured[]>(CASES.map((c) => [c.name, []]));
  for (let i = 0; i < RUNS; i += 1) {
    for (const c of CASES) results.get(c.name)?.push(measureOnce(c));
  }
  console.log(`output flood: median of ${RUNS} runs (peak RSS by /usr/bin/time -v)`);
  console.log('| case | peak RSS | wall time | run --json size | tasks show --json | home on disk |');
  console.log('|---|---|---|---|---|---|');
  for (const c of CASES) {
    const runs = results.get(c.name) ?? [];
    const m = (pick: (r: Measured) => number): number => median(runs.map(pick));
    console.log(
      `| ${c.name} | ${m((r) => r.rssMb).toFixed(0)} MB | ${m((r) => r.seconds).toFixed(1)} s | ${(m((r) => r.jsonBytes) / MB).toFixed(2)} MB | ${runs.every((r) => r.showOk) ? 'ok' : 'FAILED'} | ${m((r) => r.homeMb).toFixed(1)} MB |`,
    );
  }
  return Promise.resolve();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
