/**
 * Issue 3 acceptance through the command users run: `ai-orchestrator test-agent` with an
 * agents.yaml whose generic agent is the fixture CLI. Prompts (as an argument or on stdin with
 * `-`) reach the agent byte for byte and run nothing; a hanging agent with `timeout: 3` ends in
 * about 3 s as "timeout" with nothing of it left in the process table.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli, tempDir } from '../helpers/cli.js';
import { FAKE_CLI, isAlive, readPid, waitGone } from '../helpers/fake-cli.js';

const NASTY = [
  'Please implement this: $(touch x) and `touch y`; rm -rf ./keep && touch z | tee w > v',
  "single 'quotes' and \"double quotes\" and \\backslashes\\ and ${HOME} and $HOME",
  'newlines\n\nand\ttabs and unicode: héllo ✓ 日本語 🚀 \u202e rtl',
  '*.ts ?(glob) [a-z] ~root !! #comment <(process substitution) {a,b}',
].join('\n');

interface Setup {
  readonly dir: string;
  readonly home: string;
  readonly config: string;
}

function setup(env: Record<string, string>, extra: Record<string, unknown> = {}): Setup {
  const dir = tempDir('aio-test-agent-');
  const home = tempDir('aio-test-agent-home-');
  const config = path.join(home, 'agents.yaml');
  writeFileSync(config, stringify({ agents: { fake: { type: 'generic', command: FAKE_CLI, env, ...extra } } }));
  return { dir, home, config };
}

async function testAgent(s: Setup, prompt: string, input?: string) {
  const result = await runCli(['-c', s.config, 'test-agent', 'fake', prompt, '--cwd', s.dir, '--json'], {
    cwd: s.dir,
    env: { AI_ORCHESTRATOR_HOME: s.home },
    ...(input !== undefined ? { input } : {}),
  });
  return { ...result, json: testAgentJson.parse(JSON.parse(result.stdout)) };
}

const testAgentJson = z.looseObject({
  agent: z.string(),
  success: z.boolean(),
  output: z.string(),
  error: z.object({ kind: z.string(), message: z.string() }).nullish(),
  files_modified: z.array(z.string()),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number() }),
  duration_ms: z.number(),
});

describe('ai-orchestrator test-agent keeps prompts and processes safe', () => {
  it('passes a prompt full of shell metacharacters from its argv to the agent byte for byte, running nothing', async () => {
    const s = setup({ FAKE_STDIN_FILE: 'prompt.bin', FAKE_STDOUT: 'ok' });
    const result = await testAgent(s, NASTY);
    expect(result.json).toMatchObject({ agent: 'fake', success: true, output: 'ok' });
    expect(readFileSync(path.join(s.dir, 'prompt.bin'), 'utf8')).toBe(NASTY);
    expect(readdirSync(s.dir)).toEqual(['prompt.bin']);
  });

  it('reads a 1 MB prompt from stdin with "-" and passes it on byte for byte', async () => {
    const s = setup({ FAKE_STDIN_FILE: 'prompt.bin', FAKE_STDOUT: 'ok' });
    const prompt = `${NASTY}\n${'0123456789abcdef'.repeat(65_536)}\n${NASTY}`;
    const result = await testAgent(s, '-', prompt);
    expect(result.json).toMatchObject({ success: true, output: 'ok' });
    expect(readFileSync(path.join(s.dir, 'prompt.bin')).equals(Buffer.from(prompt))).toBe(true);
    expect(readdirSync(s.dir)).toEqual(['prompt.bin']);
  });

  it('reports the file an agent created', async () => {
    const s = setup({ FAKE_WRITE_FILE: 'hello.txt', FAKE_STDOUT: 'created' });
    const result = await testAgent(s, 'create hello.txt');
    expect(result.json).toMatchObject({ success: true, output: 'created', files_modified: ['hello.txt'] });
  });

  it('ends a hanging agent with timeout: 3 in about 3 s as "timeout", leaving no process', async () => {
    const s = setup({ FAKE_HANG: '1', FAKE_PID_FILE: 'agent.pid', FAKE_GRANDCHILD_PID_FILE: 'grandchild.pid' }, { timeout: 3 });
    const started = performance.now();
    const result = await testAgent(s, 'hang');
    const seconds = (performance.now() - started) / 1000;
    expect(result.json.success).toBe(false);
    expect(result.json.error?.kind).toBe('timeout');
    expect(result.code).not.toBe(0);
    expect(seconds).toBeGreaterThanOrEqual(2.9);
    expect(seconds).toBeLessThan(10);
    expect(isAlive(await readPid(path.join(s.dir, 'agent.pid')))).toBe(false);
    expect(await waitGone(await readPid(path.join(s.dir, 'grandchild.pid')))).toBe(true);
  });

  it('reports a missing binary as not_installed and a 429 on stderr as rate_limit', async () => {
    const missing = setup({});
    writeFileSync(missing.config, stringify({ agents: { fake: { type: 'generic', command: 'no-such-agent-binary-xyz' } } }));
    expect((await testAgent(missing, 'p')).json.error?.kind).toBe('not_installed');
    const limited = setup({ FAKE_EXIT: '1', FAKE_STDERR: 'HTTP 429 Too Many Requests\n' });
    expect((await testAgent(limited, 'p')).json.error?.kind).toBe('rate_limit');
  });
});
