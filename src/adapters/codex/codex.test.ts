import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { buildCodexArgs } from './codex-args.js';
import { createCodexAdapter } from './index.js';
import { fixtureRunner } from '../../../test/helpers/fixture-adapter.js';


const run = fixtureRunner('codex', createCodexAdapter);

describe('codex adapter against a fixture CLI', () => {
  it('folds the JSONL run: last agent message, file_change items, turn usage, thread id', async () => {
    const { cwd, result } = run('success');
    const r = await result;
    expect(r.success).toBe(true);
    expect(r.output).toBe('done: wrote hello.txt');
    expect(r.filesModified).toEqual(['hello.txt']);
    expect(r.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(r.sessionId).toBe('thread-1');
    expect(existsSync(path.join(cwd, 'hello.txt'))).toBe(true);
  });

  it('reports the patch codex rejected (only logged on stderr) as a refusal', async () => {
    const r = await run('denied').result;
    expect(r.success).toBe(true);
    expect(r.refusals).toEqual([{ tool: 'apply_patch', reason: 'writing outside of the project; rejected by user approval settings' }]);
    expect(r.filesModified).toEqual([]);
  });

  it('gives the prompt on stdin with "-" as the last argument and -C the working directory', async () => {
    const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-rec-')), 'rec.json');
    const { cwd, result } = run('success', { record });
    await result;
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; stdin: string };
    expect(seen.stdin).toBe('create hello.txt');
    expect(seen.argv.at(-1)).toBe('-');
    expect(seen.argv.slice(0, 3)).toEqual(['exec', '--json', '--skip-git-repo-check']);
    expect(seen.argv[seen.argv.indexOf('-C') + 1]).toBe(cwd);
  });

  it.each([
    ['api-401', 'auth'],
    ['api-429', 'rate_limit'],
    ['api-500', 'server'],
    ['malformed', 'bad_output'],
    ['crash', 'task_failed'],
  ])('maps %s to %s', async (scenario, kind) => {
    const r = await run(scenario).result;
    expect(r.success).toBe(false);
    expect(r.error?.kind).toBe(kind);
  });

  it('stops a run that waits for the network and reports network, long before its timeout', async () => {
    const started = Date.now();
    const r = await run('network-wait', { timeout: 60 }).result;
    expect(r.error?.kind).toBe('network');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('codex argv', () => {
  const agent = (extra: Record<string, unknown> = {}) => agentSchema.parse({ type: 'codex', ...extra });

  it('sandboxes review read-only and lets implement write the workspace', () => {
    const review = buildCodexArgs(agent(), 'review', '/w');
    const implement = buildCodexArgs(agent(), 'implement', '/w');
    expect(review[review.indexOf('-s') + 1]).toBe('read-only');
    expect(implement[implement.indexOf('-s') + 1]).toBe('workspace-write');
    for (const args of [review, implement]) expect(args).not.toContain('--dangerously-bypass-approvals-and-sandbox');
  });

  it('bypasses the sandbox only when allowed, and only for edit roles', () => {
    expect(buildCodexArgs(agent({ allow_bypass_permissions: true }), 'implement', '/w')).toContain(
      '--dangerously-bypass-approvals-and-sandbox',
    );
    expect(buildCodexArgs(agent({ allow_bypass_permissions: true }), 'review', '/w')).toContain('read-only');
  });

  it('puts the model before, and the configured args after its own flags, "-" last', () => {
    const args = buildCodexArgs(agent({ model: 'gpt-5.5', args: ['-c', 'model_provider=fake'] }), 'implement', '/w');
    expect(args.slice(-3)).toEqual(['-c', 'model_provider=fake', '-']);
    expect(args).toEqual(expect.arrayContaining(['-m', 'gpt-5.5']));
  });
});
