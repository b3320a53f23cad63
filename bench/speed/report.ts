/**
 * What a speed measurement is and how a run is printed: one row per measurement, each next to
 * the baseline it is judged against (measured in the same run) and, when another checkout is
 * given, the same measurement of that checkout ("before").
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Target {
  /** How the target reads in the table, e.g. "≤ 2.5× node -e 0". */
  readonly text: string;
  readonly met: boolean;
}

export interface SpeedRow {
  readonly section: string;
  readonly name: string;
  readonly unit: 'ms' | 'nodes/s' | 'nDCG@10';
  /** Median (or the percentile named in `name`) of this checkout. */
  readonly value: number;
  /** What the value is compared with, measured in the same run (e.g. `node -e 0`). */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** The same measurement of the BENCH_BEFORE checkout, interleaved with this one. */
  readonly before?: number;
  readonly target?: Target;
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly sqlite: string;
}

export function machineInfo(sqlite: string): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    sqlite,
  };
}

/** 1-minute load average: the machine is shared, so every figure is read with it. */
export function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

/** The short commit of a checkout, or its path when it is not a git work tree. */
export function checkoutLabel(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return root;
  }
}

function format(value: number, unit: SpeedRow['unit']): string {
  if (unit === 'nDCG@10') return value.toFixed(4);
  if (unit === 'nodes/s') return String(Math.round(value));
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** The side-by-side table, one line per row, columns aligned. */
export function renderTable(rows: readonly SpeedRow[], beforeLabel: string | undefined): string {
  const header = ['section', 'measurement', 'value', 'baseline', 'baseline value', 'ratio', ...(beforeLabel ? [`before (${beforeLabel})`] : []), 'target', 'met'];
  const lines = rows.map((row) => [
    row.section,
    row.name,
    `${format(row.value, row.unit)} ${row.unit === 'nDCG@10' ? '' : row.unit}`.trim(),
    row.baseline?.name ?? '',
    row.baseline ? format(row.baseline.value, row.unit) : '',
    row.baseline && row.unit === 'ms' ? `${(row.value / row.baseline.value).toFixed(2)}×` : '',
    ...(beforeLabel ? [row.before === undefined ? '' : format(row.before, row.unit)] : []),
    row.target?.text ?? '',
    row.target ? (row.target.met ? 'yes' : 'NO') : '',
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length)));
  return table.map((line) => line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
