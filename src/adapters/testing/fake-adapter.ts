/**
 * A fake agent for engine tests: it records every call (prompt, role, cwd) and replays scripted
 * AgentEvents, one script per call (the last repeats). A fake, not a mock: it goes through the
 * same AgentAdapterV1 contract as the real adapters, including cancellation by AbortSignal.
 */
import type { AdapterKind } from '../../config/workflows.js';
import type { AgentAdapterV1, AgentEvent, AgentRequest, Availability, FailureKind, Usage } from '../spec.js';

export interface FakeCall {
  readonly prompt: string;
  readonly role: AgentRequest['role'];
  readonly cwd: string;
}

/** One call's behaviour: fixed events, or a function of the call (may be async, may wait for abort). */
export type FakeTurn =
  | readonly AgentEvent[]
  | ((request: AgentRequest, call: number, signal: AbortSignal | undefined) => AsyncIterable<AgentEvent> | readonly AgentEvent[]);

export interface FakeAdapterOptions {
  readonly name: string;
  /** One per call; after the last, the last repeats. Default: answers "ok". */
  readonly turns?: readonly FakeTurn[];
  readonly local?: boolean;
  readonly kind?: AdapterKind;
  /** false or a reason string = reported unavailable. */
  readonly available?: boolean | string;
}

export interface FakeAdapter extends AgentAdapterV1 {
  readonly calls: readonly FakeCall[];
}

export function createFakeAdapter(options: FakeAdapterOptions): FakeAdapter {
  const calls: FakeCall[] = [];
  const turns = options.turns && options.turns.length > 0 ? options.turns : [answer('ok')];
  return {
    specificationVersion: 'agent-v1',
    name: options.name,
    kind: options.kind ?? 'generic',
    transport: 'embedded',
    local: options.local ?? false,
    calls,
    async *doRun(request, runOptions = {}) {
      const call = calls.length;
      calls.push({ prompt: request.prompt, role: request.role, cwd: request.cwd });
      const turn = turns[Math.min(call, turns.length - 1)] ?? [];
      yield { type: 'start', detail: `fake ${options.name}` };
      const events = typeof turn === 'function' ? turn(request, call, runOptions.signal) : turn;
      yield* events;
    },
    checkAvailable(): Promise<Availability> {
      const available = options.available ?? true;
      return Promise.resolve(
        available === true
          ? { available: true, detail: 'fake' }
          : { available: false, detail: typeof available === 'string' ? available : 'fake: unavailable' },
      );
    },
  };
}

/** A successful answer. */
export function answer(text: string, usage: Usage = { inputTokens: 10, outputTokens: 5 }): AgentEvent[] {
  return [{ type: 'text-delta', text }, { type: 'usage', usage }, { type: 'finish', success: true }];
}

/** A classified failure. */
export function failure(kind: FailureKind, message: string): AgentEvent[] {
  const error = { kind, message };
  return [{ type: 'error', error }, { type: 'finish', success: false, error }];
}

/** Hangs until the run's signal aborts, then reports a cancelled run (as the CLI runner does). */
export const hang: FakeTurn = (_request, _call, signal) =>
  (async function* (): AsyncGenerator<AgentEvent> {
    await new Promise<void>((resolve) => {
      if (!signal || signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const error = { kind: 'cancelled' as const, message: 'cancelled' };
    yield { type: 'error', error };
    yield { type: 'finish', success: false, error };
  })();

/** Resolver over a set of fakes; unknown names throw like the real resolver. */
export function fakeResolver(adapters: readonly AgentAdapterV1[]): (name: string) => AgentAdapterV1 {
  const byName = new Map(adapters.map((a) => [a.name, a]));
  return (name) => {
    const adapter = byName.get(name);
    if (!adapter) throw new Error(`no fake agent named "${name}"`);
    return adapter;
  };
}
