import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeAgent } from '../../test/helpers/fake-cli.js';
import { detectChangedFiles } from './files-changed.js';
import { createFold, runAgent } from './run-agent.js';
import type { AgentAdapterV1, AgentEvent } from './spec.js';
import { answer, createFakeAdapter, failure } from './testing/fake-adapter.js';

const CWD = '/work/project';
const request = { prompt: 'do it', role: 'implement' as const, cwd: CWD };

function fold(events: readonly AgentEvent[], detected: readonly string[] = [], cwd = CWD) {
  const f = createFold('agent', cwd);
  for (const event of events) f.add(event);
  return f.result(42, detected);
}

describe('the fold of an event stream into a result', () => {
  it('adds usage up, including cost when any event reports it', () => {
    const result = fold([
      { type: 'usage', usage: { inputTokens: 100, outputTokens: 10 } },
      { type: 'usage', usage: { inputTokens: 50, outputTokens: 5, costUsd: 0.25 } },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 1, costUsd: 0.5 } },
      { type: 'finish', success: true },
    ]);
    expect(result.usage).toEqual({ inputTokens: 151, outputTokens: 16, costUsd: 0.75 });
  });

  it('reports no cost when no event has one', () => {
    expect(fold(answer('x')).usage).toEqual({ inputTokens: 10, outputTokens: 5 });
  });

  it('takes the finish output over text messages, and the last text message over deltas', () => {
    const stream: AgentEvent[] = [
      { type: 'text-delta', text: 'streamed ' },
      { type: 'text-delta', text: 'words' },
    ];
    expect(fold([...stream, { type: 'finish', success: true }]).output).toBe('streamed words');
    const withMessages: AgentEvent[] = [...stream, { type: 'text', text: 'first message' }, { type: 'text', text: 'last message' }];
    expect(fold([...withMessages, { type: 'finish', success: true }]).output).toBe('last message');
    expect(fold([...withMessages, { type: 'finish', success: true, output: 'the final answer' }]).output).toBe('the final answer');
  });

  it('is a bad_output failure when the stream ends without finish', () => {
    const result = fold([{ type: 'text-delta', text: 'half an answer' }]);
    expect(result.success).toBe(false);
    expect(result.error).toEqual({ kind: 'bad_output', message: 'the agent ended without a result' });
    expect(result.output).toBe('half an answer');
  });

  it('keeps the classified error of a failed finish, or the last error event', () => {
    expect(fold(failure('rate_limit', '429')).error).toEqual({ kind: 'rate_limit', message: '429' });
    const result = fold([
      { type: 'error', error: { kind: 'server', message: 'first' } },
      { type: 'error', error: { kind: 'network', message: 'second' } },
      { type: 'finish', success: false },
    ]);
    expect(result).toMatchObject({ success: false, error: { kind: 'network', message: 'second' } });
  });

  it('gives a failure without any reason the kind task_failed', () => {
    expect(fold([{ type: 'finish', success: false }]).error?.kind).toBe('task_failed');
  });

  it('treats a finish that claims success but carries an error as a failure', () => {
    const error = { kind: 'auth' as const, message: '401' };
    expect(fold([{ type: 'finish', success: true, error }])).toMatchObject({ success: false, error });
  });

  it('has no error on success, even after recovered error events', () => {
    const result = fold([{ type: 'error', error: { kind: 'network', message: 'retrying' } }, ...answer('fine')]);
    expect(result.success).toBe(true);
    expect(result).not.toHaveProperty('error');
  });

  it('makes reported file paths relative to cwd, merges detected ones, dedupes and sorts', () => {
    const result = fold(
      [
        { type: 'file-change', path: `${CWD}/src/b.ts`, kind: 'update' },
        { type: 'file-change', path: './a.txt', kind: 'add' },
        { type: 'file-change', path: 'src/../c.txt', kind: 'delete' },
        { type: 'file-change', path: '/elsewhere/x.txt', kind: 'update' },
        { type: 'file-change', path: `${CWD}-sibling/y.txt`, kind: 'update' },
        { type: 'finish', success: true },
      ],
      ['a.txt', 'src/b.ts', 'detected.md'],
    );
    expect(result.filesModified).toEqual(['/elsewhere/x.txt', '/work/project-sibling/y.txt', 'a.txt', 'c.txt', 'detected.md', 'src/b.ts']);
  });

  it('works with a cwd given with a trailing slash', () => {
    const result = fold([{ type: 'file-change', path: `${CWD}/a.txt`, kind: 'add' }, { type: 'finish', success: true }], [], `${CWD}/`);
    expect(result.filesModified).toEqual(['a.txt']);
  });

  it('extracts review suggestions from the output', () => {
    const result = fold(answer('Review:\n1. Add tests\n2. Handle errors\n- Rename foo'));
    expect(result.suggestions).toEqual(['Add tests', 'Handle errors', 'Rename foo']);
  });

  it('keeps the session id and the agent name and duration', () => {
    const result = fold([{ type: 'session', sessionId: 'abc-123' }, ...answer('x')]);
    expect(result).toMatchObject({ agent: 'agent', sessionId: 'abc-123', durationMs: 42 });
  });
});

describe('runAgent', () => {
  it('forwards every event to onEvent in order and returns the folded result', async () => {
    const seen: string[] = [];
    const adapter = createFakeAdapter({ name: 'fake', turns: [answer('hello', { inputTokens: 3, outputTokens: 2 })] });
    const result = await runAgent(adapter, request, { onEvent: (event) => seen.push(event.type) });
    expect(seen).toEqual(['start', 'text-delta', 'usage', 'finish']);
    expect(result).toMatchObject({ agent: 'fake', success: true, output: 'hello', usage: { inputTokens: 3, outputTokens: 2 } });
  });

  it('turns an adapter that throws into a bad_output result instead of throwing', async () => {
    const broken: AgentAdapterV1 = {
      ...createFakeAdapter({ name: 'broken' }),
      doRun: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('parser exploded')) }),
      }),
    };
    const result = await runAgent(broken, request);
    expect(result.success).toBe(false);
    expect(result.error).toMatchObject({ kind: 'bad_output', message: 'adapter error: parser exploded' });
  });

  it('reports files the agent wrote in its cwd, found by comparing the working tree', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'aio-run-agent-'));
    const adapter = fakeAgent({ FAKE_WRITE_FILE: 'hello.txt', FAKE_WRITE_CONTENT: 'hi\n', FAKE_STDOUT: 'wrote it' });
    const result = await runAgent(adapter, { ...request, cwd }, { detectChanges: detectChangedFiles });
    expect(result).toMatchObject({ success: true, output: 'wrote it', filesModified: ['hello.txt'] });
    expect(readFileSync(path.join(cwd, 'hello.txt'), 'utf8')).toBe('hi\n');
  });
});

describe('a run that prints far more than the output limit', () => {
  const FLOOD_AGENT = path.join(import.meta.dirname, '../../test/fixtures/bin/flood-agent.mjs');

  it.each([
    ['100-byte lines', '100'],
    ['one line without newline', '0'],
  ])('keeps the head and the tail within the limit, and shows at most the limit live (%s)', async (_label, lineBytes) => {
    const adapter = fakeAgent({}, { command: FLOOD_AGENT, env: { FLOOD_BYTES: String(20 * 1024 * 1024), FLOOD_LINE_BYTES: lineBytes, FLOOD_HEAD: 'HEAD-MARK', FLOOD_TAIL: 'TAIL-MARK' } });
    let shownBytes = 0;
    const result = await runAgent(adapter, { prompt: 'flood', role: 'implement', cwd: mkdtempSync(path.join(os.tmpdir(), 'aio-flood-')) }, {
      outputLimitBytes: 64 * 1024,
      onEvent: (event) => {
        if (event.type === 'text-delta') shownBytes += Buffer.byteLength(event.text);
      },
    });
    expect(result.success).toBe(true);
    expect(result.output.startsWith('HEAD-MARK')).toBe(true);
    expect(result.output.trimEnd().endsWith('TAIL-MARK')).toBe(true);
    expect(result.output).toMatch(/\[… \d+ bytes cut\]/);
    expect(Buffer.byteLength(result.output)).toBeLessThan(64 * 1024 + 100);
    expect(shownBytes).toBeLessThan(64 * 1024 + 100);
  });
});
