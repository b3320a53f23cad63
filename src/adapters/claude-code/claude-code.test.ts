import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { runAgent } from '../run-agent.js';
import { buildClaudeCodeArgs } from './claude-code-args.js';
import { createClaudeCodeAdapter } from './index.js';
import { fixtureRunner } from '../../../test/helpers/fixture-adapter.js';


const run = fixtureRunner('claude', createClaudeCodeAdapter);

describe('claude-code adapter against a fixture CLI', () => {
  it('folds a stream-json run into output, files, usage with cost, and the session', async () => {
    const { cwd, result } = run('success');
    const r = await result;
    expect(r.success).toBe(true);
    expect(r.output).toBe('done: wrote hello.txt');
    expect(r.filesModified).toEqual(['hello.txt']);
    expect(r.usage).toEqual({ inputTokens: 25, outputTokens: 10, costUsd: 0.0012 });
    expect(r.sessionId).toBe('sess-claude-1');
    expect(existsSync(path.join(cwd, 'hello.txt'))).toBe(true);
  });

  it('sends the prompt on stdin, never in argv', async () => {
    const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-rec-')), 'rec.json');
    const prompt = 'line one $(touch x) `id`\n"quoted" ; rm -rf /';
    await run('success', { record, prompt }).result;
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; stdin: string };
    expect(seen.stdin).toBe(prompt);
    expect(seen.argv.join(' ')).not.toContain('touch');
    expect(seen.argv.slice(0, 4)).toEqual(['-p', '--output-format', 'stream-json', '--verbose']);
  });

  it('does not count a write the CLI was refused as a modified file, and reports the refusal once', async () => {
    const { cwd, result } = run('denied');
    const r = await result;
    expect(r.success).toBe(true);
    expect(r.filesModified).toEqual([]);
    expect(r.refusals).toEqual([
      {
        tool: 'Write',
        target: path.join(cwd, 'hello.txt'),
        reason: `Claude requested permissions to write to ${path.join(cwd, 'hello.txt')}, but you haven't granted it yet.`,
      },
    ]);
  });

  it.each([
    ['api-401', 'auth'],
    ['api-429', 'rate_limit'],
    ['api-500', 'server'],
    ['refused', 'network'],
    ['malformed', 'bad_output'],
    ['crash', 'task_failed'],
  ])('maps %s to %s', async (scenario, kind) => {
    const r = await run(scenario).result;
    expect(r.success).toBe(false);
    expect(r.error?.kind).toBe(kind);
  });

  it('ignores a stray non-JSON line when the run still ends with a valid result', async () => {
    const r = await run('noise-then-success').result;
    expect(r.success).toBe(true);
    expect(r.output).toBe('done: wrote hello.txt');
  });

  it('reports a missing binary as not_installed', async () => {
    const agent = agentSchema.parse({ type: 'claude', command: '/nonexistent/claude-missing' });
    const r = await runAgent(createClaudeCodeAdapter({ name: 'claude', agent }), {
      prompt: 'x',
      role: 'implement',
      cwd: os.tmpdir(),
    });
    expect(r.error?.kind).toBe('not_installed');
  });
});

describe('claude-code argv', () => {
  const agent = (extra: Record<string, unknown> = {}) => agentSchema.parse({ type: 'claude', ...extra });

  it('lets edit roles accept edits and keeps review read-only', () => {
    const implement = buildClaudeCodeArgs(agent(), 'implement', { asRoot: false }).args;
    const review = buildClaudeCodeArgs(agent(), 'review', { asRoot: false }).args;
    expect(implement).toEqual(expect.arrayContaining(['--permission-mode', 'acceptEdits']));
    expect(review).toEqual(expect.arrayContaining(['--permission-mode', 'default', '--disallowedTools']));
    expect(review).not.toContain('acceptEdits');
    for (const args of [implement, review]) expect(args).not.toContain('--dangerously-skip-permissions');
  });

  it('uses the bypass mode only when the config allows it, with IS_SANDBOX as root', () => {
    const built = buildClaudeCodeArgs(agent({ allow_bypass_permissions: true }), 'refine', { asRoot: true });
    expect(built.args).toContain('--dangerously-skip-permissions');
    expect(built.env['IS_SANDBOX']).toBe('1');
    expect(buildClaudeCodeArgs(agent({ allow_bypass_permissions: true }), 'review', { asRoot: true }).args).not.toContain(
      '--dangerously-skip-permissions',
    );
  });

  it('passes the model and appends the configured args after its own', () => {
    const { args } = buildClaudeCodeArgs(agent({ model: 'opus', args: ['--max-budget-usd', '1'] }), 'implement', {
      asRoot: false,
    });
    expect(args.slice(-2)).toEqual(['--max-budget-usd', '1']);
    expect(args).toEqual(expect.arrayContaining(['--model', 'opus']));
  });
});
