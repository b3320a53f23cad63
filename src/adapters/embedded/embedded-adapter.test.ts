/**
 * The embedded adapter against a real GGUF (the tiny random-weight model: its text is gibberish
 * by design, so the tests check the generation path, not the words).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_GGUF, EMBEDDED_UNAVAILABLE, TINY_OPTIONS } from '../../../test/helpers/tiny-model.js';
import { agentSchema } from '../../config/schema.js';
import { runAgent } from '../run-agent.js';
import type { AgentEvent } from '../spec.js';
import { createEmbeddedAdapter } from './embedded-adapter.js';
import { embeddedModelLoadCount, importNodeLlamaCpp } from './llama-runtime.js';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'aio-embedded-'));
}

function adapter(fields: Record<string, unknown>) {
  return createEmbeddedAdapter({ name: 'tiny', agent: agentSchema.parse({ type: 'embedded', ...fields }) });
}

async function collect(iterable: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe.skipIf(EMBEDDED_UNAVAILABLE)(`embedded adapter with ${path.basename(TINY_GGUF)}`, () => {
  it('streams text deltas, counts tokens and succeeds; a second run reuses the loaded model', async () => {
    const tiny = adapter({ model: TINY_GGUF, options: { ...TINY_OPTIONS, max_tokens: 12 } });
    expect(tiny).toMatchObject({ kind: 'embedded', transport: 'embedded', local: true });
    expect(await tiny.checkAvailable()).toEqual({ available: true, detail: TINY_GGUF });

    const events = await collect(tiny.doRun({ prompt: 'Hello', role: 'review', cwd: tempDir() }));
    const deltas = events.filter((e) => e.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    const finish = events.at(-1);
    expect(finish).toMatchObject({ type: 'finish', success: true });
    const text = deltas.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(finish?.type === 'finish' ? finish.output : undefined).toBe(text);
    const usage = events.find((e) => e.type === 'usage');
    expect(usage?.type === 'usage' ? usage.usage.inputTokens : 0).toBeGreaterThan(0);
    expect(usage?.type === 'usage' ? usage.usage.outputTokens : 0).toBe(12);
    const loads = embeddedModelLoadCount();
    expect(loads).toBe(1);

    // Another adapter (another agent or step) naming the same file: no second load.
    const again = await runAgent(adapter({ model: TINY_GGUF, options: { ...TINY_OPTIONS, max_tokens: 4 } }), {
      prompt: 'Hello again',
      role: 'implement',
      cwd: tempDir(),
    });
    expect(again).toMatchObject({ success: true, usage: { outputTokens: 4 } });
    expect(again.output.length).toBeGreaterThan(0);
    expect(embeddedModelLoadCount()).toBe(loads);
  });

  it('stops generating when aborted mid-answer and finishes cancelled', async () => {
    const tiny = adapter({ model: TINY_GGUF, options: { ...TINY_OPTIONS, max_tokens: 100_000 } });
    const controller = new AbortController();
    let abortedAt = 0;
    const result = await runAgent(
      tiny,
      { prompt: 'Go on forever', role: 'review', cwd: tempDir() },
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'text-delta' && abortedAt === 0) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(5000);
    expect(result).toMatchObject({ success: false, error: { kind: 'cancelled' } });
    expect(result.usage.outputTokens).toBeGreaterThan(0); // tokens spent before the cancel still count
  });

  it("ends with kind timeout when the run's time limit passes", async () => {
    const tiny = adapter({ model: TINY_GGUF, options: { ...TINY_OPTIONS, max_tokens: 100_000 } });
    const result = await runAgent(tiny, { prompt: 'Go on forever', role: 'review', cwd: tempDir() }, { timeoutMs: 500 });
    expect(result).toMatchObject({ success: false, error: { kind: 'timeout', message: 'timed out after 0.5 s' } });
    expect(result.durationMs).toBeLessThan(10_000);
  });
});

describe('embedded adapter failures', () => {
  it('reports a missing model file as not_installed, naming the resolved path', async () => {
    const missing = path.join(tempDir(), 'nope.gguf');
    const tiny = adapter({ model: missing });
    expect(await tiny.checkAvailable()).toEqual({ available: false, detail: `model file ${missing} not found` });
    const result = await runAgent(tiny, { prompt: 'Hello', role: 'review', cwd: tempDir() });
    expect(result.success).toBe(false);
    expect(result.error).toEqual({
      kind: 'not_installed',
      message: `agent "tiny": model file ${missing} not found (relative paths resolve from the current directory)`,
    });
  });

  it.skipIf(EMBEDDED_UNAVAILABLE)('reports a file that is not a GGUF model as a config failure', async () => {
    const bogus = path.join(tempDir(), 'bogus.gguf');
    writeFileSync(bogus, 'this is not a model\n');
    const result = await runAgent(adapter({ model: bogus, options: TINY_OPTIONS }), { prompt: 'Hello', role: 'review', cwd: tempDir() });
    expect(result.error?.kind).toBe('config');
    expect(result.error?.message).toMatch(new RegExp(`^agent "tiny": cannot load model file ${bogus}: .*GGUF`));
  });

  it('reports a missing model field and unknown options as config failures', async () => {
    const noModel = await runAgent(adapter({}), { prompt: 'Hello', role: 'review', cwd: tempDir() });
    expect(noModel.error).toMatchObject({ kind: 'config', message: expect.stringContaining('has no model configured') as string });
    const badOption = await runAgent(adapter({ model: '/m.gguf', options: { num_ctx: 256 } }), { prompt: 'x', role: 'review', cwd: tempDir() });
    expect(badOption.error).toMatchObject({ kind: 'config', message: expect.stringContaining('options: unknown key num_ctx') as string });
  });

  it('maps a missing node-llama-cpp package to not_installed with the install hint', async () => {
    const specifier = `node-llama-cpp-absent-${process.pid}`;
    const failure = await importNodeLlamaCpp(() => import(specifier)).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      name: 'EmbeddedLoadError',
      kind: 'not_installed',
      message: 'node-llama-cpp is not installed: it is an optional add-on: npm install node-llama-cpp@3 where ai-orchestrator is installed',
    });
  });
});
