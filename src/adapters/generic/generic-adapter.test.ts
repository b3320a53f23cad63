import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterFromYaml, fakeAgent, runFake } from '../../../test/helpers/fake-cli.js';
import { agentSchema } from '../../config/schema.js';
import type { AgentEvent } from '../spec.js';
import { createGenericCliAdapter } from './generic-adapter.js';
import { valueAtPath } from './generic-output.js';

const cwd = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-generic-'));

describe('generic CLI adapter', () => {
  it('is chosen by the registry for type generic and for cli agents with an unknown command', () => {
    expect(fakeAgent({}).kind).toBe('generic');
    expect(adapterFromYaml({ command: '/usr/local/bin/my-agent' }).kind).toBe('generic');
    expect(fakeAgent({}).specificationVersion).toBe('agent-v1');
  });

  it('sends the prompt on stdin and returns stdout as text, blank lines included', async () => {
    const prompt = 'line one\n\n  indented line three\nlast';
    const result = await runFake(fakeAgent({ FAKE_ECHO: '1' }), prompt, cwd());
    expect(result).toMatchObject({ success: true, output: prompt });
    expect(result.error).toBeUndefined();
  });

  it('passes lines that arrive together on as one text delta', async () => {
    const deltas: string[] = [];
    const onEvent = (event: AgentEvent): void => void (event.type === 'text-delta' && deltas.push(event.text));
    const result = await runFake(fakeAgent({ FAKE_STDOUT: 'one\ntwo\n\nthree\n' }), 'p', cwd(), { onEvent });
    expect(result.output).toBe('one\ntwo\n\nthree');
    expect(deltas).toEqual(['one\ntwo\n\nthree']);
  });

  it('passes the configured args before the prompt and the configured env', async () => {
    const dir = cwd();
    const argFile = path.join(dir, 'arg.txt');
    const adapter = fakeAgent({ FAKE_ARG_FILE: argFile, FAKE_STDOUT: 'ok' }, { args: ['--flag', 'v'], prompt_via: 'arg' });
    const result = await runFake(adapter, 'the prompt', dir);
    expect(result).toMatchObject({ success: true, output: 'ok' });
    expect(readFileSync(argFile, 'utf8')).toBe('the prompt');
  });

  it('replaces {model} in args with the configured model, and refuses {model} without one', async () => {
    const dir = cwd();
    const argFile = path.join(dir, 'arg.txt');
    const adapter = fakeAgent({ FAKE_ARG_FILE: argFile }, { args: ['--model={model}'], model: 'big-1', prompt_via: 'stdin' });
    expect((await runFake(adapter, 'p', dir)).success).toBe(true);
    expect(readFileSync(argFile, 'utf8')).toBe('--model=big-1');
    const missing = await runFake(fakeAgent({}, { args: ['-m', '{model}'] }), 'p', dir);
    expect(missing.error).toMatchObject({ kind: 'config', message: 'agent "fake": args use {model} but no model is set' });
  });

  it('reads the answer at output_field from JSON, nested and indexed', async () => {
    const json = JSON.stringify({ result: { choices: [{ text: 'the answer' }] }, usage: 3 });
    const adapter = fakeAgent({ FAKE_STDOUT: json }, { output_format: 'json', output_field: 'result.choices.0.text' });
    expect(await runFake(adapter, 'p', cwd())).toMatchObject({ success: true, output: 'the answer' });
  });

  it('returns the whole JSON as text when no field is configured', async () => {
    const json = '{"a": 1}\n';
    const adapter = fakeAgent({ FAKE_STDOUT: json }, { output_format: 'json' });
    expect(await runFake(adapter, 'p', cwd())).toMatchObject({ success: true, output: '{"a": 1}' });
  });

  it('returns non-string fields as JSON text', async () => {
    const adapter = fakeAgent({ FAKE_STDOUT: '{"r":{"n":[1,2]}}' }, { output_format: 'json', output_field: 'r' });
    expect(await runFake(adapter, 'p', cwd())).toMatchObject({ success: true, output: '{"n":[1,2]}' });
  });

  it('takes the answer from the last JSONL line that has the field', async () => {
    const lines = ['{"type":"start"}', '{"type":"msg","text":"first"}', '', '{"type":"msg","text":"final"}', '{"type":"end"}'];
    const adapter = fakeAgent({ FAKE_STDOUT: `${lines.join('\n')}\n` }, { output_format: 'jsonl', output_field: 'text' });
    expect(await runFake(adapter, 'p', cwd())).toMatchObject({ success: true, output: 'final' });
  });

  it('reports malformed JSON as bad_output', async () => {
    const adapter = fakeAgent({ FAKE_STDOUT: '{"answer": "unterminated' }, { output_format: 'json', output_field: 'answer' });
    const result = await runFake(adapter, 'p', cwd());
    expect(result.success).toBe(false);
    expect(result.error?.kind).toBe('bad_output');
    expect(result.error?.message).toContain('did not print valid JSON');
  });

  it('reports a JSONL line that is not JSON as bad_output', async () => {
    const adapter = fakeAgent({ FAKE_STDOUT: '{"text":"a"}\nnot json\n' }, { output_format: 'jsonl', output_field: 'text' });
    const result = await runFake(adapter, 'p', cwd());
    expect(result.error).toMatchObject({ kind: 'bad_output' });
    expect(result.error?.message).toContain('line 2');
  });

  it('reports JSON without the configured field as bad_output', async () => {
    const adapter = fakeAgent({ FAKE_STDOUT: '{"other":1}' }, { output_format: 'json', output_field: 'answer' });
    expect((await runFake(adapter, 'p', cwd())).error).toMatchObject({ kind: 'bad_output' });
    const jsonl = fakeAgent({ FAKE_STDOUT: '{"other":1}\n' }, { output_format: 'jsonl', output_field: 'answer' });
    expect((await runFake(jsonl, 'p', cwd())).error).toMatchObject({ kind: 'bad_output' });
  });

  it('classifies a non-zero exit from stderr', async () => {
    const adapter = fakeAgent({ FAKE_EXIT: '1', FAKE_STDERR: 'Error: 429 Too Many Requests\n' });
    const result = await runFake(adapter, 'p', cwd());
    expect(result.success).toBe(false);
    expect(result.error?.kind).toBe('rate_limit');
    expect(result.error?.message).toContain('exited with code 1');
  });

  it('classifies a non-zero exit from stdout when stderr is empty', async () => {
    const adapter = fakeAgent({ FAKE_EXIT: '2', FAKE_STDOUT: 'error: 401 Unauthorized\n' });
    expect((await runFake(adapter, 'p', cwd())).error?.kind).toBe('auth');
  });

  it('reports an unexplained non-zero exit as task_failed', async () => {
    const adapter = fakeAgent({ FAKE_EXIT: '3', FAKE_STDERR: 'something odd\n' });
    expect((await runFake(adapter, 'p', cwd())).error?.kind).toBe('task_failed');
  });

  it('reports a missing binary as not_installed', async () => {
    const adapter = adapterFromYaml({ type: 'generic', command: 'no-such-agent-binary-xyz' });
    const result = await runFake(adapter, 'p', cwd());
    expect(result.error).toMatchObject({ kind: 'not_installed' });
    expect(result.error?.message).toContain('no-such-agent-binary-xyz');
  });

  it('reports a generic agent without a command as a config error (when built without the file check)', async () => {
    const adapter = createGenericCliAdapter({ name: 'bare', agent: agentSchema.parse({ type: 'generic' }) });
    expect((await runFake(adapter, 'p', cwd())).error?.kind).toBe('config');
  });

  it('ends as timeout when the time limit of the run passes', async () => {
    const adapter = fakeAgent({ FAKE_HANG: '1' });
    const result = await runFake(adapter, 'p', cwd(), { timeoutMs: 300 });
    expect(result.error).toEqual({ kind: 'timeout', message: 'timed out after 0.3 s' });
  });

  it('is available when the command is on disk, not when it is missing', async () => {
    expect((await fakeAgent({}).checkAvailable()).available).toBe(true);
    expect((await adapterFromYaml({ type: 'generic', command: 'no-such-agent-binary-xyz' }).checkAvailable()).available).toBe(false);
  });
});

describe('valueAtPath', () => {
  it('walks objects and arrays and stops at anything missing', () => {
    const value = { a: { b: [{ c: 'x' }] } };
    expect(valueAtPath(value, 'a.b.0.c')).toBe('x');
    expect(valueAtPath(value, 'a.b.1.c')).toBeUndefined();
    expect(valueAtPath(value, 'a.b.c')).toBeUndefined();
    expect(valueAtPath(value, 'a.toString')).toBeUndefined();
    expect(valueAtPath('text', 'a')).toBeUndefined();
    expect(valueAtPath(value, '')).toBe(value);
  });
});
