/**
 * Embedded agents with the tiny random GGUF (../shared/models, 1.75 MB): what a cold
 * `test-agent` costs (CLI start + node-llama-cpp import + binding + model load + 16 tokens),
 * whether configuring an embedded agent slows `agents` down (it must not: nothing is loaded),
 * and warm generation speed in-process with 1 and 2 threads. Medians.
 *
 *   npm run bench -- embedded      (or: node --import tsx bench/embedded.bench.ts)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEmbeddedAdapter } from '../src/adapters/embedded/index.js';
import { runAgent } from '../src/adapters/run-agent.js';
import { agentSchema } from '../src/config/schema.js';
import { TINY_GGUF, EMBEDDED_MISSING, EMBEDDED_UNAVAILABLE } from '../test/helpers/tiny-model.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist/bin.js');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeCli(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ai-orchestrator ${args.join(' ')} failed: ${result.stderr}`);
  return performance.now() - started;
}

async function warmTokensPerSecond(threads: number, runs: number): Promise<number> {
  const agent = agentSchema.parse({ type: 'embedded', model: TINY_GGUF, options: { threads, context_size: 256, max_tokens: 128, temperature: 0 } });
  const adapter = createEmbeddedAdapter({ name: 'tiny', agent });
  const cwd = os.tmpdir();
  await runAgent(adapter, { prompt: 'warm up', role: 'review', cwd });
  const rates: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const result = await runAgent(adapter, { prompt: 'Hello', role: 'review', cwd });
    if (!result.success) throw new Error(result.error?.message ?? 'failed');
    rates.push(result.usage.outputTokens / (result.durationMs / 1000));
  }
  return median(rates);
}

export async function run(): Promise<void> {
  if (EMBEDDED_UNAVAILABLE) {
    console.error(`skipped: no ${EMBEDDED_MISSING}`);
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-embedded-'));
  try {
    const embedded = path.join(dir, 'embedded.yaml');
    writeFileSync(embedded, `agents:\n  tiny:\n    type: embedded\n    model: ${TINY_GGUF}\n    options: { threads: 1, context_size: 256, max_tokens: 16 }\n`);
    const generic = path.join(dir, 'generic.yaml');
    writeFileSync(generic, 'agents:\n  plain:\n    type: generic\n    command: "true"\n');
    const env = { ...process.env, AI_ORCHESTRATOR_HOME: path.join(dir, 'home'), NO_COLOR: '1' };

    const agentsEmbedded: number[] = [];
    const agentsGeneric: number[] = [];
    timeCli(['agents', '--json', '--config', generic], env, dir); // warm the file cache
    for (let i = 0; i < 7; i += 1) {
      agentsGeneric.push(timeCli(['agents', '--json', '--config', generic], env, dir));
      agentsEmbedded.push(timeCli(['agents', '--json', '--config', embedded], env, dir));
    }
    const cold: number[] = [];
    for (let i = 0; i < 3; i += 1) cold.push(timeCli(['--quiet', 'test-agent', 'tiny', 'Hello', '--json', '--config', embedded], env, dir));

    const result = {
      model: path.basename(TINY_GGUF),
      cores: os.availableParallelism(),
      agents_generic_ms: Math.round(median(agentsGeneric)),
      agents_embedded_ms: Math.round(median(agentsEmbedded)),
      cold_test_agent_16_tokens_ms: Math.round(median(cold)),
      warm_tokens_per_s_threads_1: Math.round(await warmTokensPerSecond(1, 5)),
      warm_tokens_per_s_threads_2: Math.round(await warmTokensPerSecond(2, 5)),
    };
    console.log(JSON.stringify(result, null, 2));
    const out = path.join(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'embedded.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
