/**
 * What the process safety costs per agent run: `spawnProcess` (own group, run tag, the sweep for
 * escaped descendants after the exit, bounded line reading) against a bare `child_process.spawn` of
 * the same fixture with readline — wall time and this process's CPU time, medians of interleaved
 * runs. Also one sweep of the process table: all processes against those created since a pid mark.
 *
 *   npm run bench -- process-overhead      (or: node --import tsx bench/process-overhead.bench.ts)
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { killTagged, markPid } from '../src/process/process-table.js';
import { spawnProcess } from '../src/process/spawn-process.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FAKE_CLI = path.join(ROOT, 'test/fixtures/bin/fake-cli.mjs');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 30);
const ENV = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', FAKE_STDOUT: 'line one\nline two\n' };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function bare(): Promise<void> {
  const child = spawn(FAKE_CLI, [], { cwd: os.tmpdir(), env: ENV, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.stderr.resume();
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.stdin.end('prompt');
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) void line;
  await closed;
}

async function guarded(): Promise<void> {
  const running = spawnProcess({ command: FAKE_CLI, args: [], cwd: os.tmpdir(), env: ENV, stdin: 'prompt' });
  for await (const line of running.lines) void line;
  await running.result;
}

async function measure(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
}

export async function run(): Promise<void> {
  const results = { bare: [] as { wall: number; cpu: number }[], guarded: [] as { wall: number; cpu: number }[] };
  for (let i = 0; i < RUNS + 3; i += 1) {
    const order = i % 2 === 0 ? (['bare', 'guarded'] as const) : (['guarded', 'bare'] as const);
    for (const which of order) {
      const measured = await measure(which === 'bare' ? bare : guarded);
      if (i >= 3) results[which].push(measured);
    }
  }
  const sweeps = { full: [] as number[], since: [] as number[] };
  const mark = markPid(process.pid);
  for (let i = 0; i < 200; i += 1) {
    let started = performance.now();
    killTagged('no-such-tag');
    sweeps.full.push(performance.now() - started);
    started = performance.now();
    killTagged('no-such-tag', mark);
    sweeps.since.push(performance.now() - started);
  }
  const row = (name: string, values: { wall: number; cpu: number }[]): string =>
    `| ${name} | ${median(values.map((v) => v.wall)).toFixed(1)} ms | ${median(values.map((v) => v.cpu)).toFixed(2)} ms |`;
  console.log(`process overhead: medians of ${RUNS} interleaved runs; load ${os.loadavg()[0]?.toFixed(1) ?? '?'}`);
  console.log('| run of the fixture CLI | wall | CPU of this process |');
  console.log('|---|---|---|');
  console.log(row('bare spawn + readline (baseline)', results.bare));
  console.log(row('spawnProcess (group, run tag, sweep, bounded lines)', results.guarded));
  console.log(`one sweep of the process table: all processes ${median(sweeps.full).toFixed(3)} ms, since a pid mark ${median(sweeps.since).toFixed(3)} ms`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
