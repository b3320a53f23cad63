import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_CLI, isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { liveGroupCount } from './kill-group.js';
import { runProcess, spawnProcess } from './spawn-process.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-proc-'));
const baseEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };

function fake(env: Record<string, string>, extra: { cwd?: string; stdin?: string; timeoutMs?: number; killGraceMs?: number; signal?: AbortSignal; stderrTailBytes?: number } = {}) {
  return spawnProcess({ command: FAKE_CLI, args: [], cwd: extra.cwd ?? tmp(), env: { ...baseEnv, ...env }, ...extra });
}

async function drain(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('spawnProcess', () => {
  it('passes arguments as an array: metacharacters arrive literally and nothing runs', async () => {
    const dir = tmp();
    const args = ['$(touch x)', '`touch y`', '; touch z', 'a && b', 'a | b', '> out', "it's", '"q"', '${HOME}', 'émoji ✓'];
    const result = await runProcess({
      command: process.execPath,
      args: ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args],
      cwd: dir,
      env: baseEnv,
    });
    expect(JSON.parse(result.stdout)).toEqual(args);
    for (const file of ['x', 'y', 'z', 'out']) expect(existsSync(path.join(dir, file))).toBe(false);
  });

  it('delivers stdin byte for byte and closes it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'stdin.bin');
    const input = `héllo\n${'x'.repeat(300_000)}\r\n\0end`;
    const result = await drain(fake({ FAKE_STDIN_FILE: file }, { stdin: input }).lines);
    expect(result).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(input);
  });

  it('gives the child an empty stdin when none is passed', async () => {
    const dir = tmp();
    const file = path.join(dir, 'stdin.bin');
    const running = fake({ FAKE_STDIN_FILE: file });
    await drain(running.lines);
    expect((await running.result).exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('runs in the explicit cwd', async () => {
    const dir = tmp();
    const result = await runProcess({ command: process.execPath, args: ['-e', 'process.stdout.write(process.cwd())'], cwd: dir, env: baseEnv });
    expect(realpathSync(result.stdout)).toBe(realpathSync(dir));
  });

  it('keeps only a bounded tail of stderr, and streams all of it to onStderr', async () => {
    const chunks: string[] = [];
    const stderr = `${'a'.repeat(50_000)}THE END`;
    const running = spawnProcess({
      command: FAKE_CLI, args: [], cwd: tmp(), env: { ...baseEnv, FAKE_STDERR: stderr, FAKE_EXIT: '4' },
      stderrTailBytes: 1000, onStderr: (chunk) => chunks.push(chunk),
    });
    await drain(running.lines);
    const result = await running.result;
    expect(result.exitCode).toBe(4);
    expect(result.stderrTail.length).toBe(1000);
    expect(result.stderrTail.endsWith('THE END')).toBe(true);
    expect(chunks.join('')).toBe(stderr);
  });

  it('kills the process group on timeout with SIGTERM and reports timedOut', async () => {
    const dir = tmp();
    const running = fake({ FAKE_HANG: '1', FAKE_PID_FILE: path.join(dir, 'pid') }, { cwd: dir, timeoutMs: 300 });
    await drain(running.lines);
    const result = await running.result;
    expect(result).toMatchObject({ timedOut: true, isCanceled: false, signal: 'SIGTERM', exitCode: null });
    expect(isAlive(await readPid(path.join(dir, 'pid')))).toBe(false);
  });

  it('escalates to SIGKILL after the grace period for a child that ignores SIGTERM', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const running = fake(
      { FAKE_HANG: '1', FAKE_IGNORE_TERM: '1', FAKE_PID_FILE: path.join(dir, 'pid') },
      { cwd: dir, killGraceMs: 400, signal: controller.signal },
    );
    const pid = await readPid(path.join(dir, 'pid'));
    const abortedAt = performance.now();
    controller.abort();
    await drain(running.lines);
    const result = await running.result;
    expect(result).toMatchObject({ isCanceled: true, signal: 'SIGKILL' });
    expect(result.stderrTail).toContain('ignoring SIGTERM');
    // It survived SIGTERM for (about) the grace period, then died.
    expect(performance.now() - abortedAt).toBeGreaterThanOrEqual(350);
    expect(isAlive(pid)).toBe(false);
  });

  it('reports an abort as isCanceled, even when already aborted before the start', async () => {
    const controller = new AbortController();
    const dir = tmp();
    const running = fake({ FAKE_HANG: '1', FAKE_PID_FILE: path.join(dir, 'pid') }, { cwd: dir, signal: controller.signal });
    await readPid(path.join(dir, 'pid'));
    controller.abort();
    await drain(running.lines);
    expect(await running.result).toMatchObject({ isCanceled: true, timedOut: false, signal: 'SIGTERM' });

    const early = fake({ FAKE_HANG: '1' }, { signal: AbortSignal.abort() });
    await drain(early.lines);
    expect((await early.result).isCanceled).toBe(true);
  });

  it('leaves no grandchild behind after a timeout', async () => {
    const dir = tmp();
    const running = fake({ FAKE_HANG: '1', FAKE_GRANDCHILD_PID_FILE: path.join(dir, 'gc') }, { cwd: dir, timeoutMs: 400 });
    const grandchild = await readPid(path.join(dir, 'gc'));
    expect(isAlive(grandchild)).toBe(true);
    await drain(running.lines);
    await running.result;
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('leaves no grandchild behind after a normal exit', async () => {
    const dir = tmp();
    const running = fake({ FAKE_STDOUT: 'done\n', FAKE_GRANDCHILD_PID_FILE: path.join(dir, 'gc') }, { cwd: dir });
    expect(await drain(running.lines)).toEqual(['done']);
    expect((await running.result).exitCode).toBe(0);
    expect(await waitGone(await readPid(path.join(dir, 'gc')))).toBe(true);
  });

  it('kills the group when the consumer leaves the lines loop early', async () => {
    const dir = tmp();
    const running = fake({ FAKE_STDOUT: 'first\nsecond\n', FAKE_HANG: '1', FAKE_GRANDCHILD_PID_FILE: path.join(dir, 'gc') }, { cwd: dir });
    for await (const line of running.lines) {
      expect(line).toBe('first');
      break;
    }
    const result = await running.result;
    expect(result).toMatchObject({ signal: 'SIGTERM', timedOut: false });
    expect(await waitGone(await readPid(path.join(dir, 'gc')))).toBe(true);
  });

  it('reports a missing binary as spawnError ENOENT without throwing', async () => {
    const running = spawnProcess({ command: 'no-such-binary-xyz', args: [], cwd: tmp(), env: baseEnv, stdin: 'hi' });
    expect(await drain(running.lines)).toEqual([]);
    const result = await running.result;
    expect(result.spawnError?.code).toBe('ENOENT');
    expect(result.exitCode).toBeNull();
  });

  it('reports a missing working directory as ENOTDIR, not as a missing binary', async () => {
    const running = spawnProcess({ command: FAKE_CLI, args: [], cwd: path.join(tmp(), 'gone'), env: baseEnv });
    expect(await drain(running.lines)).toEqual([]);
    expect((await running.result).spawnError).toMatchObject({ code: 'ENOTDIR', message: expect.stringContaining('gone does not exist') });
  });

  it('reports an argument over the OS limit as spawnError E2BIG without throwing', async () => {
    const running = spawnProcess({ command: FAKE_CLI, args: ['x'.repeat(1024 * 1024)], cwd: tmp(), env: baseEnv });
    expect(await drain(running.lines)).toEqual([]);
    expect((await running.result).spawnError?.code).toBe('E2BIG');
  });

  it('forgets finished groups', async () => {
    const before = liveGroupCount();
    await runProcess({ command: FAKE_CLI, args: [], cwd: tmp(), env: baseEnv });
    expect(liveGroupCount()).toBe(before);
  });
});
