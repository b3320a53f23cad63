/**
 * Issue 3 acceptance, through a real adapter: the generic CLI adapter configured from YAML runs
 * the fixture CLI via the registry and runAgent. Prompts reach the agent byte for byte and run
 * nothing; hanging agents end on time with nothing of them left in the process table.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeAgent, isAlive, readPid, runFake, waitGone } from '../helpers/fake-cli.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-safety-'));

const NASTY = [
  'Please implement this: $(touch x) and `touch y`; rm -rf ./keep && touch z | tee w > v',
  "single 'quotes' and \"double quotes\" and \\backslashes\\ and ${HOME} and $HOME and %PATH%",
  'newlines\n\nand\ttabs\r\nand a lone \r carriage return',
  'unicode: héllo wörld ✓ 日本語 🚀 \u0000 nul byte-ish \u202e rtl',
  '*.ts ?(glob) [a-z] ~root !! #comment <(process substitution) {a,b}',
].join('\n');
const MEGABYTE = `${NASTY}\n${'0123456789abcdef'.repeat(65_536)}\n${NASTY}`;

/** Files the fixture must not have been tricked into creating. */
function strayFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => !['prompt.bin', 'pid', 'gc'].includes(name));
}

describe('prompts reach the agent byte for byte and execute nothing', () => {
  it.each([
    ['a prompt full of shell metacharacters', NASTY],
    ['a 1 MB prompt', MEGABYTE],
  ])('on stdin (the default): %s', async (_label, prompt) => {
    const dir = tmp();
    const file = path.join(dir, 'prompt.bin');
    const result = await runFake(fakeAgent({ FAKE_STDIN_FILE: file, FAKE_STDOUT: 'ok' }), prompt, dir);
    expect(result).toMatchObject({ success: true, output: 'ok' });
    expect(readFileSync(file).equals(Buffer.from(prompt, 'utf8'))).toBe(true);
    expect(strayFiles(dir)).toEqual([]);
    expect(existsSync(path.join(os.homedir(), 'x'))).toBe(false);
  });

  it('as the last argument (prompt_via: arg): a prompt full of shell metacharacters', async () => {
    const dir = tmp();
    const file = path.join(dir, 'prompt.bin');
    const prompt = NASTY.replace('\u0000', ''); // argv strings cannot carry NUL
    const adapter = fakeAgent({ FAKE_ARG_FILE: file, FAKE_STDOUT: 'ok' }, { prompt_via: 'arg', args: ['--print'] });
    const result = await runFake(adapter, prompt, dir);
    expect(result).toMatchObject({ success: true, output: 'ok' });
    expect(readFileSync(file, 'utf8')).toBe(prompt);
    expect(strayFiles(dir)).toEqual([]);
  });

  it('as the last argument: a 1 MB prompt exceeds the OS limit and fails with a clear config error', async () => {
    const dir = tmp();
    const adapter = fakeAgent({ FAKE_STDOUT: 'ok' }, { prompt_via: 'arg' });
    const result = await runFake(adapter, MEGABYTE.replaceAll('\u0000', ''), dir);
    expect(result.success).toBe(false);
    expect(result.error?.kind).toBe('config');
    expect(result.error?.message).toContain('E2BIG');
    expect(result.error?.message).toContain('stdin');
  });

  it('as the last argument: a prompt with a NUL byte fails with a clear config error', async () => {
    const adapter = fakeAgent({ FAKE_STDOUT: 'ok' }, { prompt_via: 'arg' });
    const result = await runFake(adapter, 'a\u0000b', tmp());
    expect(result.error?.kind).toBe('config');
    expect(result.error?.message).toContain('null bytes');
  });
});

describe('no agent process outlives its step', () => {
  it('a hanging agent with a 3 s time limit ends in about 3 s as "timeout", with its grandchild gone', async () => {
    const dir = tmp();
    const adapter = fakeAgent(
      { FAKE_HANG: '1', FAKE_PID_FILE: path.join(dir, 'pid'), FAKE_GRANDCHILD_PID_FILE: path.join(dir, 'gc') },
    );
    const started = performance.now();
    const result = await runFake(adapter, 'hang', dir, { timeoutMs: 3000 });
    const seconds = (performance.now() - started) / 1000;
    expect(result.error?.kind).toBe('timeout');
    expect(result.success).toBe(false);
    expect(seconds).toBeGreaterThanOrEqual(2.9);
    expect(seconds).toBeLessThan(10);
    const leader = await readPid(path.join(dir, 'pid'));
    const grandchild = await readPid(path.join(dir, 'gc'));
    expect(isAlive(leader)).toBe(false);
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('an agent that ignores SIGTERM is killed after the grace period', async () => {
    const dir = tmp();
    const adapter = fakeAgent(
      { FAKE_HANG: '1', FAKE_IGNORE_TERM: '1', FAKE_PID_FILE: path.join(dir, 'pid'), FAKE_GRANDCHILD_PID_FILE: path.join(dir, 'gc') },
    );
    const started = performance.now();
    const result = await runFake(adapter, 'hang', dir, { timeoutMs: 1000 });
    expect(result.error?.kind).toBe('timeout');
    // timeout (1 s) + grace (2 s) before SIGKILL; generous upper bound for a busy machine.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(isAlive(await readPid(path.join(dir, 'pid')))).toBe(false);
    expect(await waitGone(await readPid(path.join(dir, 'gc')))).toBe(true);
  });

  it('a cancelled run ends as "cancelled" and leaves nothing behind', async () => {
    const dir = tmp();
    const adapter = fakeAgent({ FAKE_HANG: '1', FAKE_PID_FILE: path.join(dir, 'pid'), FAKE_GRANDCHILD_PID_FILE: path.join(dir, 'gc') });
    const controller = new AbortController();
    const running = runFake(adapter, 'hang', dir, { signal: controller.signal });
    const grandchild = await readPid(path.join(dir, 'gc'));
    controller.abort();
    const result = await running;
    expect(result.error?.kind).toBe('cancelled');
    expect(isAlive(await readPid(path.join(dir, 'pid')))).toBe(false);
    expect(await waitGone(grandchild)).toBe(true);
  });
});
