/**
 * `context scan` on a generated git repository of 50,000 tracked files (BENCH_SCAN_FILES): 500
 * folders of TypeScript, Python, Go, Markdown and JSON files with head comments and top-level
 * functions, sized like this repository's files (median 4.0 KB, mean 5.0 KB; this repository's:
 * 3.5 and 5.5 KB), 100 PNGs, plus 1,000 ignored files (`*.log`, `tmp/`) the scan must not read.
 * Page cache warm; every file older than the scan's racy window.
 *   - walk + read + outline (`scanProject`, no memory) against `git ls-files` plus reading every
 *     listed file — what any tool that looks at a project's files pays; target ≤ 3×;
 *   - the first `context scan` into a fresh memory file (`registerProject`: the above plus 50,000
 *     nodes written with their index and vectors), against the same baseline;
 *   - a re-scan with nothing changed (stat every file, read none, write the project node only),
 *     against `git status --porcelain` (which also stats every tracked file against a stored record).
 * Medians of interleaved rounds. Only this checkout: an older scanner stored folders only, stopping
 * at 5,000 files, so a "before" column would compare different work.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryManager } from '../../src/context/memory-manager.js';
import { scanProject } from '../../src/context/project-scanner.js';
import { closeAllDatabases } from '../../src/storage/database.js';
import type { SpeedRow } from './report.js';
import type { SpeedContext, SpeedSection } from './section.js';
import { interleave, median } from './stats.js';

const FILES = Number(process.env['BENCH_SCAN_FILES'] ?? 50_000);
const FOLDERS = 500;
const TARGET_RATIO = 3;

/**
 * Lines in file i: 30 + 280·u² for a pseudo-random u in [0, 1) — a median of about 100 lines and
 * a mean of about 120, at ~38 bytes a line.
 */
function lineCount(i: number): number {
  const u = (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32;
  return Math.round(30 + 280 * u * u);
}

const STATEMENTS = [
  (j: number) => `const item${j} = records[${j}] ?? fallback;`,
  (j: number) => `if (!item${j}) continue;`,
  (j: number) => `total += item${j}.amount * rate;`,
  () => '// keep the order stable for the reviewers',
  (j: number) => `log.debug('step ${j} done', { total });`,
];

/** Top-level functions of about 20 lines each, with indented bodies, in a language's syntax. */
function functions(lines: number, open: (k: number) => string, close: string, indent: string, comment: string): string {
  const out: string[] = [];
  for (let k = 0; out.length < lines; k++) {
    out.push(open(k));
    for (let j = 0; j < 18; j++) out.push(`${indent}${(STATEMENTS[(j + k) % STATEMENTS.length] ?? (() => ''))(j).replace('//', comment)}`);
    if (close) out.push(close);
    out.push('');
  }
  return out.join('\n');
}

function sourceFile(i: number): { name: string; text: string } {
  const topic = ['invoice', 'ledger', 'session', 'token', 'parser', 'schedule', 'render', 'queue'][i % 8] ?? 'thing';
  const Topic = `${topic[0]?.toUpperCase() ?? 'X'}${topic.slice(1)}`;
  const lines = lineCount(i);
  switch (i % 20) {
    case 0:
    case 1:
      return {
        name: `${topic}_module_${i}.py`,
        text: `"""The ${topic} helpers of part ${i}."""\nimport os\n\nMAX_${i} = ${i}\n\n${functions(lines, (k) => `def load_${topic}_${k}(records, rate):`, '', '    ', '#').replaceAll(';', '')}\nclass ${Topic}${i}:\n    pass\n`,
      };
    case 2:
    case 3:
      return {
        name: `${topic}_${i}.go`,
        text: `// Package part${i} handles ${topic} records.\npackage part${i}\n\ntype Record${i} struct{}\n\n${functions(lines, (k) => `func Load${Topic}${k}(records []Record${i}, rate float64) {`, '}', '\t', '//').replaceAll(';', '')}`,
      };
    case 4:
      return { name: `${topic}-${i}.md`, text: `# The ${topic} notes, part ${i}\n\n${'Some prose about the design of this part.\n'.repeat(lines)}` };
    case 5:
      return { name: `${topic}-${i}.json`, text: JSON.stringify({ name: `${topic}-${i}`, values: Array.from({ length: lines }, (_, j) => ({ id: j, amount: j * 3 })) }, null, 2) };
    default:
      return {
        name: `${topic}-service-${i}.ts`,
        text: `/**\n * The ${topic} service of part ${i}: loads, validates and stores ${topic} records.\n */\nimport { z } from 'zod';\nimport type { Store } from '../store.js';\n\nexport const ${topic}Schema${i} = z.object({ id: z.string() });\n\n${functions(lines, (k) => `export async function load${Topic}${k}(records: readonly Item[], rate: number): Promise<number> {`, '}', '  ', '//')}`,
      };
  }
}

/** The repository: FILES tracked files, 1,000 ignored ones, all dated an hour back, committed. */
export function makeRepository(root: string): void {
  const past = new Date(Date.now() - 3_600_000);
  const write = (rel: string, text: string | Buffer): void => {
    const file = path.join(root, rel);
    writeFileSync(file, text);
    utimesSync(file, past, past);
  };
  for (let f = 0; f < FOLDERS; f++) mkdirSync(path.join(root, `pkg${Math.floor(f / 50)}`, `mod${f}`), { recursive: true });
  mkdirSync(path.join(root, 'tmp'));
  write('.gitignore', '*.log\ntmp/\n');
  for (let i = 0; i < FILES - 1; i++) {
    const folder = `pkg${Math.floor((i % FOLDERS) / 50)}/mod${i % FOLDERS}`;
    if (i % 500 === 7) write(`${folder}/icon-${i}.png`, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, i % 256]));
    else {
      const { name, text } = sourceFile(i);
      write(`${folder}/${name}`, text);
    }
  }
  for (let i = 0; i < 500; i++) write(`pkg0/mod${i % 50}/debug-${i}.log`, 'ignored\n'.repeat(50));
  for (let i = 0; i < 500; i++) write(`tmp/scratch-${i}.ts`, 'export const ignored = 1;\n');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@example.invalid' };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root, env });
  execFileSync('git', ['add', '-A'], { cwd: root, env });
  execFileSync('git', ['-c', 'commit.gpgSign=false', 'commit', '-q', '-m', 'bench'], { cwd: root, env });
}

function timed(body: () => unknown): () => Promise<number> {
  return async () => {
    const started = performance.now();
    await body();
    return performance.now() - started;
  };
}

/** What any tool pays to look at a repository's files: list them from git's index, read each. */
function gitListAndRead(root: string): number {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, maxBuffer: 256 * 1024 * 1024 }).toString('utf8').split('\0');
  let bytes = 0;
  for (const file of listed) if (file !== '') bytes += readFileSync(path.join(root, file)).length;
  return bytes;
}

export const projectScanSection: SpeedSection = {
  name: 'project-scan',
  async measure(context: SpeedContext): Promise<readonly SpeedRow[]> {
    const root = path.join(context.scratch, 'scan-repo');
    mkdirSync(root);
    context.log(`project-scan: writing and committing ${FILES} files`);
    makeRepository(root);
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, maxBuffer: 256 * 1024 * 1024 }).toString().trim().split('\n').length;
    const check = scanProject(root);
    if (check.truncated || check.files.length + check.skipped.binary !== tracked) {
      throw new Error(`project-scan: the scan saw ${check.files.length} + ${check.skipped.binary} binary files, git tracks ${tracked}`);
    }
    const rounds = Math.min(context.runs, 7);

    context.log(`project-scan: scanProject vs git ls-files + read, ${rounds} rounds`);
    const [scan = [], baseline = []] = await interleave([timed(() => scanProject(root)), timed(() => gitListAndRead(root))], rounds, 1);

    context.log('project-scan: first context scan into a fresh memory, 3 rounds');
    let fresh = 0;
    const firstScan = (): Promise<number> =>
      timed(async () => {
        const memory = await MemoryManager.open({ dbPath: path.join(context.scratch, `scan-${fresh++}.db`) });
        await memory.registerProject(root);
        closeAllDatabases();
      })();
    const [first = [], firstBaseline = []] = await interleave([firstScan, timed(() => gitListAndRead(root))], 3, 0);

    context.log(`project-scan: re-scan with nothing changed vs git status, ${rounds} rounds`);
    const memory = await MemoryManager.open({ dbPath: path.join(context.scratch, 'scan-rescan.db') });
    await memory.registerProject(root);
    let unread = 0;
    const [rescan = [], status = []] = await interleave(
      [
        timed(async () => {
          const result = await memory.registerProject(root);
          unread += result.scan.read;
        }),
        timed(() => execFileSync('git', ['status', '--porcelain'], { cwd: root, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } })),
      ],
      rounds,
      1,
    );
    closeAllDatabases();
    if (unread !== 0) throw new Error(`project-scan: a re-scan with nothing changed read ${unread} files`);

    const ls = median(baseline);
    const row = (name: string, value: number, base: { name: string; value: number }, target?: number): SpeedRow => ({
      section: 'project-scan',
      name,
      unit: 'ms',
      value,
      baseline: base,
      ...(target ? { target: { text: `≤ ${target}× ${base.name}`, met: value <= target * base.value } } : {}),
    });
    return [
      row(`scan ${tracked} files (walk, read, outline)`, median(scan), { name: 'git ls-files + read', value: ls }, TARGET_RATIO),
      row(`context scan ${tracked} files, first (+ memory writes)`, median(first), { name: 'git ls-files + read', value: median(firstBaseline) }),
      row(`context scan ${tracked} files, nothing changed`, median(rescan), { name: 'git status --porcelain', value: median(status) }),
    ];
  },
};
