/**
 * `context scan` of a 50,000-file repository against `git ls-files` plus reading those files, and
 * a re-scan with nothing changed against `git status` (bench/speed/project-scan.ts says what is
 * measured). Also part of `npm run bench -- speed`; this file runs it alone:
 *
 *   npm run bench -- project-scan        (BENCH_SCAN_FILES=n for another size, BENCH_RUNS=n rounds)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openCheckout } from './speed/checkout.js';
import { projectScanSection } from './speed/project-scan.js';
import { checkoutLabel, loadAverage, machineInfo, renderTable } from './speed/report.js';

const ROOT = path.resolve(import.meta.dirname, '..');

export async function run(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-scan-'));
  const sqlite = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const machine = machineInfo(sqlite);
  const started = new Date().toISOString();
  const runs = Number(process.env['BENCH_RUNS'] ?? 7);
  try {
    const load = { before: loadAverage(), after: 0 };
    const rows = await projectScanSection.measure({
      current: openCheckout(ROOT, checkoutLabel(ROOT)),
      runs,
      warmup: 1,
      scratch,
      log: (message) => console.error(message),
    });
    load.after = loadAverage();
    console.log(`${machine.cpu} × ${machine.cpus}, ${machine.memoryGb} GB, ${machine.platform}, Node ${machine.node}, SQLite ${machine.sqlite}`);
    console.log(`${started}; medians of ${runs} rounds; 1-minute load ${load.before} → ${load.after}`);
    console.log(renderTable(rows, undefined));
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      path.join(ROOT, 'bench/results/project-scan.json'),
      `${JSON.stringify({ benchmark: 'project-scan', date: started, machine, load, runs, rows }, null, 2)}\n`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
