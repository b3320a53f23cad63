/**
 * Cost of a workspace checkpoint on a repository of 10,000 files (100 folders × 100 files,
 * committed, plus a few dirty and untracked files), in three forms, with two baselines measured
 * in the same run:
 *
 * - per step: one checkpointer for the task, a few files changed between checkpoints (what a
 *   task pays before each step) — target ≤ 100 ms median;
 * - first of a task: a new checkpointer (its index copied from the user's) each time;
 * - baseline `git status --porcelain` (what change detection already spends per snapshot);
 * - baseline checkpoint without the copied index (`git add -A` hashes every file).
 *
 *   npm run bench -- checkpoint
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runGit } from '../src/process/run-git.js';
import { createCheckpointer } from '../src/workspace/checkpoint.js';
import { ORCHESTRATOR_IDENTITY, QUIET_GIT, findRepository, git, type Repository } from '../src/workspace/git.js';

const FILES = Number(process.env['BENCH_FILES'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 21);
const TARGET_MS = 100;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function timed(runs: number, body: (i: number) => Promise<unknown>, prepare?: (i: number) => void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    prepare?.(i);
    const started = performance.now();
    await body(i);
    times.push(performance.now() - started);
  }
  return times;
}

function makeRepository(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-cp-'));
  const folders = 100;
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(dir, `src${i % folders}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `file${i}.ts`), `export const value${i} = ${i};\n`.repeat(20));
  }
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n*.log\n');
  const env = { ...process.env, ...ORCHESTRATOR_IDENTITY };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env });
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['-c', 'commit.gpgSign=false', 'commit', '-q', '-m', 'bench'], { cwd: dir, env });
  // A working tree as a task finds it: some edits, some new files.
  for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, `src${i}`, `file${i}.ts`), `// edited by the user\n`);
  for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, `untracked${i}.ts`), 'new\n');
  return dir;
}

/** A checkpoint the slow way: an empty temporary index, so git hashes every file. */
async function unseededCheckpoint(repository: Repository, scratch: string): Promise<void> {
  const index = path.join(scratch, `index-${Math.random().toString(36).slice(2)}`);
  const env = { GIT_INDEX_FILE: index };
  await git(repository.root, [...QUIET_GIT, 'add', '--all', '--', ':/'], { env });
  const tree = await git(repository.root, [...QUIET_GIT, 'write-tree'], { env });
  await git(repository.root, [...QUIET_GIT, 'commit-tree', tree, '-m', 'bench'], { env: ORCHESTRATOR_IDENTITY });
  rmSync(index, { force: true });
}

export async function run(): Promise<void> {
  const dir = makeRepository();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-cp-idx-'));
  try {
    const repository = await findRepository(dir);
    if (!repository) throw new Error('bench repository not found');
    const touch = (i: number): void => {
      // What a step does: edits a couple of files and adds one.
      writeFileSync(path.join(dir, `src${(i * 7) % 100}`, `file${(i * 7) % 100}.ts`), `// step ${i}\n`);
      writeFileSync(path.join(dir, `src${(i * 13) % 100}`, `step-${i}.ts`), `export const step = ${i};\n`);
    };

    const task = createCheckpointer(repository);
    await task.take({ message: 'warm-up' });
    const perStep = await timed(RUNS, (i) => task.take({ ref: `refs/ai-orchestrator/bench/${i}`, message: `step ${i}` }), touch);
    task.dispose();

    const first = await timed(Math.min(RUNS, 11), async () => {
      const fresh = createCheckpointer(repository);
      await fresh.take({ message: 'first' });
      fresh.dispose();
    });

    const status = await timed(RUNS, () => runGit(['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd: dir, env: { GIT_OPTIONAL_LOCKS: '0' } }));
    const unseeded = await timed(Math.min(RUNS, 7), () => unseededCheckpoint(repository, scratch));

    const result = {
      files: FILES,
      runs: RUNS,
      git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
      load_average: os.loadavg().map((n) => Number(n.toFixed(2))),
      checkpoint_per_step_median_ms: Number(median(perStep).toFixed(1)),
      checkpoint_first_of_task_median_ms: Number(median(first).toFixed(1)),
      baseline_git_status_median_ms: Number(median(status).toFixed(1)),
      baseline_unseeded_checkpoint_median_ms: Number(median(unseeded).toFixed(1)),
      target_ms: TARGET_MS,
      pass: median(perStep) <= TARGET_MS,
    };
    console.log(JSON.stringify(result, null, 2));
    const out = path.join(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'checkpoint.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
