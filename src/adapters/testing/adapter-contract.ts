/**
 * The contract every adapter must pass, as a reusable vitest suite. An adapter's own test calls
 * `describeAdapterContract('claude', (scenario) => ...)` and returns, for each scenario it can
 * stage (with a fixture CLI or a loopback fake server), an adapter that behaves that way.
 * Scenarios it cannot stage return undefined and are skipped.
 *
 * What it holds every adapter to: the `agent-v1` shape; a stream of known events with exactly one
 * `finish`, last; failures as events with a kind from the closed set (never a throw); cancellation
 * by AbortSignal that ends in `cancelled` quickly, even when aborted before the start; the time
 * limit as the same signal, aborted with a TimeoutError, ending in `timeout`; and an early `break`
 * by the consumer that releases the run promptly.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAgent } from '../run-agent.js';
import { FAILURE_KINDS, type AgentAdapterV1, type AgentEvent, type FailureKind } from '../spec.js';
import { isAlive } from '../../../test/helpers/fake-cli.js';

/**
 * - succeeds: the agent answers and exits cleanly.
 * - fails: the agent reports a failure (non-zero exit, provider error, ...).
 * - hangs: the agent never answers until it is stopped.
 * - not_installed: the binary (or model/server) is missing.
 * - bad_output: the agent prints something that cannot be understood.
 */
export type ContractScenario = 'succeeds' | 'fails' | 'hangs' | 'not_installed' | 'bad_output';

export type MakeContractAdapter = (
  scenario: ContractScenario,
) => AgentAdapterV1 | undefined | Promise<AgentAdapterV1 | undefined>;

export interface AdapterContractOptions {
  /** How long an aborted run may take to finish (covers a SIGTERM grace period). */
  readonly cancelWithinMs?: number;
  /** The kind a `fails` scenario must produce; any kind of the closed set when unset. */
  readonly failsWith?: FailureKind;
}

/** Every event type of the spec; a new type must be added here (the compiler insists). */
const EVENT_TYPES: Record<AgentEvent['type'], true> = {
  start: true,
  'text-delta': true,
  text: true,
  'tool-call': true,
  'tool-result': true,
  'file-change': true,
  refusal: true,
  'proposed-change': true,
  usage: true,
  session: true,
  error: true,
  finish: true,
};

const KINDS: ReadonlySet<string> = new Set(FAILURE_KINDS);

interface Collected {
  readonly events: AgentEvent[];
  readonly thrown?: unknown;
  readonly elapsedMs: number;
}


function tempCwd(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'aio-contract-'));
}

async function collect(adapter: AgentAdapterV1, signal?: AbortSignal, prompt = 'contract check'): Promise<Collected> {
  const started = performance.now();
  const events: AgentEvent[] = [];
  try {
    const request = { prompt, role: 'implement' as const, cwd: tempCwd() };
    for await (const event of adapter.doRun(request, signal ? { signal } : {})) events.push(event);
    return { events, elapsedMs: performance.now() - started };
  } catch (thrown) {
    return { events, thrown, elapsedMs: performance.now() - started };
  }
}

/** The stream-shape rules every run must satisfy, whatever its outcome. */
function expectWellFormed(run: Collected): Extract<AgentEvent, { type: 'finish' }> {
  expect(run.thrown, 'doRun must report failures as events, never throw').toBeUndefined();
  for (const event of run.events) {
    expect(EVENT_TYPES[event.type], `unknown event type ${String(event.type)}`).toBe(true);
    if (event.type === 'error') expect(KINDS.has(event.error.kind), `unknown failure kind ${event.error.kind}`).toBe(true);
    if (event.type === 'usage') {
      expect(event.usage.inputTokens).toBeGreaterThanOrEqual(0);
      expect(event.usage.outputTokens).toBeGreaterThanOrEqual(0);
    }
  }
  const finishes = run.events.filter((event) => event.type === 'finish');
  expect(finishes, 'exactly one finish event').toHaveLength(1);
  const last = run.events.at(-1);
  expect(last?.type, 'finish must be the last event').toBe('finish');
  if (last?.type !== 'finish') throw new Error('unreachable: checked above');
  if (!last.success) {
    expect(last.error, 'a failed finish carries its error').toBeDefined();
    if (last.error) expect(KINDS.has(last.error.kind)).toBe(true);
  }
  return last;
}

/** Registers the contract suite for one adapter. */
export function describeAdapterContract(
  name: string,
  makeAdapter: MakeContractAdapter,
  options: AdapterContractOptions = {},
): void {
  const cancelWithinMs = options.cancelWithinMs ?? 5000;

  const scenario = (which: ContractScenario, title: string, body: (adapter: AgentAdapterV1) => Promise<void>): void => {
    it(`${title} (${which})`, async (context) => {
      const adapter = await makeAdapter(which);
      if (!adapter) {
        context.skip();
        return;
      }
      await body(adapter);
    });
  };

  describe(`adapter contract: ${name}`, () => {
    scenario('succeeds', 'has the agent-v1 shape', async (adapter) => {
      expect(adapter.specificationVersion).toBe('agent-v1');
      expect(typeof adapter.name).toBe('string');
      expect(adapter.name.length).toBeGreaterThan(0);
      expect(['cli', 'http', 'embedded']).toContain(adapter.transport);
      expect(typeof adapter.local).toBe('boolean');
      const availability = await adapter.checkAvailable();
      expect(typeof availability.available).toBe('boolean');
      expect(typeof availability.detail).toBe('string');
    });

    scenario('succeeds', 'ends a successful run with exactly one successful finish, last', async (adapter) => {
      const finish = expectWellFormed(await collect(adapter));
      expect(finish.success).toBe(true);
      expect(finish.error).toBeUndefined();
      const result = await runAgent(adapter, { prompt: 'contract check', role: 'implement', cwd: tempCwd() });
      expect(result.success).toBe(true);
      expect(result.error).toBeUndefined();
    });

    scenario('fails', 'reports a failed run as events with a classified error, without throwing', async (adapter) => {
      const finish = expectWellFormed(await collect(adapter));
      expect(finish.success).toBe(false);
      if (options.failsWith) expect(finish.error?.kind).toBe(options.failsWith);
      const result = await runAgent(adapter, { prompt: 'contract check', role: 'implement', cwd: tempCwd() });
      expect(result.success).toBe(false);
      expect(result.error).toBeDefined();
    });

    scenario('not_installed', 'reports a missing agent as not_installed', async (adapter) => {
      const finish = expectWellFormed(await collect(adapter));
      expect(finish.error?.kind).toBe('not_installed');
      expect((await adapter.checkAvailable()).available).toBe(false);
    });

    scenario('bad_output', 'reports output it cannot understand as bad_output', async (adapter) => {
      const finish = expectWellFormed(await collect(adapter));
      expect(finish.error?.kind).toBe('bad_output');
    });

    scenario('hangs', 'ends an aborted run quickly with a cancelled finish', async (adapter) => {
      const controller = new AbortController();
      const running = collect(adapter, controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const abortedAt = performance.now();
      controller.abort();
      const run = await running;
      expect(performance.now() - abortedAt).toBeLessThan(cancelWithinMs);
      const finish = expectWellFormed(run);
      expect(finish).toMatchObject({ success: false, error: { kind: 'cancelled' } });
    });

    scenario('hangs', 'ends at once with cancelled when the signal was aborted before the start', async (adapter) => {
      const run = await collect(adapter, AbortSignal.abort());
      expect(run.elapsedMs).toBeLessThan(cancelWithinMs);
      expect(expectWellFormed(run)).toMatchObject({ success: false, error: { kind: 'cancelled' } });
    });

    scenario('hangs', 'ends with a timeout finish when the signal aborts for the time limit', async (adapter) => {
      const run = await collect(adapter, AbortSignal.timeout(300));
      expect(run.elapsedMs).toBeLessThan(300 + cancelWithinMs);
      expect(expectWellFormed(run)).toMatchObject({ success: false, error: { kind: 'timeout' } });
      const result = await runAgent(adapter, { prompt: 'contract check', role: 'implement', cwd: tempCwd() }, { timeoutMs: 300 });
      expect(result.error).toEqual({ kind: 'timeout', message: 'timed out after 0.3 s' });
    });

    scenario('hangs', 'releases the run promptly when the consumer stops reading', async (adapter) => {
      const iterator = adapter.doRun({ prompt: 'contract check', role: 'implement', cwd: tempCwd() })[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done).toBe(false);
      const started = performance.now();
      await iterator.return?.();
      expect(performance.now() - started).toBeLessThan(cancelWithinMs);
      // A process the run started is gone once the consumer's loop has ended.
      if (!first.done && first.value.type === 'start' && first.value.pid !== undefined) {
        expect(!isAlive(first.value.pid), `process ${first.value.pid} outlived its run`).toBe(true);
      }
    });
  });
}
