/**
 * What a user feels, in one run: command start-up against `node -e 0`, the whole `run` of a
 * 3-step workflow (and the task service's own part of it) against the agents' processes alone,
 * context-memory search (cold and warm, 5k and 100k nodes, with its SciFact quality), memory
 * inserts and `context scan` of a 50,000-file repository (against `git ls-files` + reading the
 * files) — each next to its baseline and target. Medians of repeated, interleaved runs; the
 * machine and its load are recorded with the figures (bench/results/speed.json).
 *
 *   npm run bench -- speed
 *   BENCH_BEFORE=/path/to/other/checkout npm run bench -- speed   (adds a "before" column; that
 *       checkout must be built, with its node_modules)
 *   BENCH_RUNS=15 (rounds per measurement), BENCH_SECTIONS=start-up,run,memory (a subset)
 *
 * Adding a measurement: a SpeedSection in bench/speed/ and one entry in SECTIONS.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openCheckout } from './speed/checkout.js';
import { memorySection } from './speed/memory.js';
import { projectScanSection } from './speed/project-scan.js';
import { checkoutLabel, loadAverage, machineInfo, renderTable, type SpeedRow } from './speed/report.js';
import type { SpeedContext, SpeedSection } from './speed/section.js';
import { runSection } from './speed/run.js';
import { startupSection } from './speed/startup.js';

const SECTIONS: readonly SpeedSection[] = [startupSection, runSection, memorySection, projectScanSection];

const ROOT = path.resolve(import.meta.dirname, '..');

export async function run(): Promise<void> {
  const wanted = process.env['BENCH_SECTIONS']?.split(',').map((s) => s.trim());
  const sections = SECTIONS.filter((s) => !wanted || wanted.includes(s.name));
  const beforeRoot = process.env['BENCH_BEFORE'];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-speed-'));
  const context: SpeedContext = {
    current: openCheckout(ROOT, checkoutLabel(ROOT)),
    ...(beforeRoot ? { before: openCheckout(path.resolve(beforeRoot), checkoutLabel(path.resolve(beforeRoot))) } : {}),
    runs: Number(process.env['BENCH_RUNS'] ?? 15),
    warmup: 2,
    scratch,
    log: (message) => console.error(message),
  };
  const sqlite = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const machine = machineInfo(sqlite);
  const started = new Date().toISOString();
  const loads: Record<string, { before: number; after: number }> = {};
  const rows: SpeedRow[] = [];
  try {
    for (const section of sections) {
      context.log(`--- ${section.name}`);
      const before = loadAverage();
      rows.push(...(await section.measure(context)));
      loads[section.name] = { before, after: loadAverage() };
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`${machine.cpu} × ${machine.cpus}, ${machine.memoryGb} GB, ${machine.platform}, Node ${machine.node}, SQLite ${machine.sqlite}`);
  console.log(`${started}; ${context.runs} rounds after ${context.warmup} warm-up; 1-minute load per section: ${Object.entries(loads).map(([name, l]) => `${name} ${l.before} → ${l.after}`).join(', ')}`);
  console.log(renderTable(rows, context.before?.label));
  const result = { benchmark: 'speed', date: started, machine, load: loads, runs: context.runs, current: context.current.label, before: context.before?.label ?? null, rows };
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench/results/speed.json'), `${JSON.stringify(result, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
