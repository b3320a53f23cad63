/**
 * Cost of the resilience middleware per agent call: a fake adapter that answers at once, run
 * bare and wrapped by createResilience (breaker state read/written in SQLite, the call recorded
 * in the health store, a rate limiter and a concurrency slot) on a real file database in WAL
 * mode. Agent calls take seconds, so the target is generous: ≤ 2 ms per call.
 *
 *   npm run bench -- resilience-overhead
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runAgent } from '../src/adapters/run-agent.js';
import { answer, createFakeAdapter } from '../src/adapters/testing/fake-adapter.js';
import { configSchema } from '../src/config/schema.js';
import { createAgentHealthStore } from '../src/resilience/agent-health-store.js';
import { createResilience } from '../src/resilience/resilience.js';
import { closeAllDatabases, databasePath, openDatabase } from '../src/storage/database.js';

const CALLS = Number(process.env['BENCH_CALLS'] ?? 2000);
const request = { prompt: 'p', role: 'implement' as const, cwd: '/tmp' };

async function timeCalls(adapter: Parameters<typeof runAgent>[0]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS; i += 1) await runAgent(adapter, request);
  return (performance.now() - started) / CALLS;
}

export async function run(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'aio-bench-res-'));
  try {
    const config = configSchema.parse({
      agents: { fake: { type: 'generic', command: 'x', resilience: { rate_limit: 1e9, max_concurrency: 4 } } },
    });
    const store = createAgentHealthStore(openDatabase(databasePath(home)));
    const bare = createFakeAdapter({ name: 'fake', turns: [answer('ok')] });
    const wrapped = createResilience({ config, store }).wrapAdapter(bare);
    await timeCalls(bare); // warm-up
    await timeCalls(wrapped);
    const bareMs = await timeCalls(bare);
    const wrappedMs = await timeCalls(wrapped);
    const result = {
      calls: CALLS,
      bare_ms_per_call: Number(bareMs.toFixed(4)),
      wrapped_ms_per_call: Number(wrappedMs.toFixed(4)),
      overhead_ms_per_call: Number((wrappedMs - bareMs).toFixed(4)),
      target_ms: 2,
      pass: wrappedMs - bareMs <= 2,
    };
    console.log(JSON.stringify(result, null, 2));
    const out = path.join(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'resilience-overhead.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    closeAllDatabases();
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
