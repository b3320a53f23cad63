/**
 * The MCP surface over stdio: (1) the round trip of `orchestrator_list_agents` from the SDK's
 * client to `ai-orchestrator mcp` and back (p50, p99); (2) `orchestrator_execute` of a 3-step
 * workflow of instant fixture agents against `ai-orchestrator run` of the same workflow (the
 * whole command, as a user or a script would start it), medians of interleaved runs.
 *
 *   npm run bench -- mcp
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist/bin.js');
const FAKE_CLI = path.join(ROOT, 'test/fixtures/bin/fake-cli.mjs');
const CALLS = Number(process.env['BENCH_CALLS'] ?? 300);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 9);
const REVIEW_OK = 'Looks complete.\n```json\n{"suggestions": []}\n```';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function runCommand(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { env, cwd, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${String(code)}`))));
  });
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-mcp-'));
  const home = path.join(scratch, 'home');
  const work = path.join(scratch, 'work');
  mkdirSync(home);
  mkdirSync(work);
  const config = path.join(scratch, 'agents.yaml');
  const agent = (stdout: string) => ({ type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: stdout } });
  writeFileSync(
    config,
    JSON.stringify({
      agents: { impl: agent('implemented'), rev: agent(REVIEW_OK), ref: agent('refined') },
      workflows: { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }, { agent: 'ref', task: 'refine' }] },
      settings: { max_iterations: 1 },
    }),
  );
  const env = { ...(process.env as Record<string, string>), AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' };
  const loadBefore = os.loadavg()[0] ?? 0;
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--config', config, 'mcp'], cwd: work, env, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  try {
    const call = (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
    const roundTrips: number[] = [];
    for (let i = 0; i < CALLS + 10; i++) {
      const started = performance.now();
      await call('orchestrator_list_agents');
      if (i >= 10) roundTrips.push(performance.now() - started);
    }
    const execute: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const started = performance.now();
      const result = await call('orchestrator_execute', { task: 'Build it' });
      if (result.isError || (result.structuredContent as { success?: boolean } | undefined)?.success !== true) throw new Error('execute failed');
      const mcpMs = performance.now() - started;
      const cliMs = await runCommand([CLI, '--config', config, 'run', 'Build it', '--json', '--quiet'], env, work);
      if (i === 0) continue;
      execute.push(mcpMs);
      cli.push(cliMs);
    }
    const json = {
      benchmark: 'mcp',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      load: { before: Math.round(loadBefore * 100) / 100, after: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
      list_agents_round_trip_ms: { calls: roundTrips.length, p50: round(percentile(roundTrips, 50)), p99: round(percentile(roundTrips, 99)) },
      execute_3_steps: {
        mcp_execute_median_ms: round(percentile(execute, 50)),
        cli_run_median_ms: round(percentile(cli, 50)),
        ratio: Math.round((percentile(execute, 50) / percentile(cli, 50)) * 1000) / 1000,
        target_ratio: 1.1,
      },
    };
    console.log(JSON.stringify(json, null, 2));
  } finally {
    await client.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
