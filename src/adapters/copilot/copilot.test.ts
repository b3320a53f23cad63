import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { buildCopilotArgs } from './copilot-args.js';
import { createCopilotAdapter } from './index.js';
import { fixtureRunner } from '../../../test/helpers/fixture-adapter.js';


const run = fixtureRunner('copilot', createCopilotAdapter);

describe('copilot adapter against a fixture CLI', () => {
  it('folds the JSONL run: final message, fileEdits, session, tokens from the usage file', async () => {
    const { cwd, result } = run('success');
    const r = await result;
    expect(r.success).toBe(true);
    expect(r.output).toBe('done: wrote hello.txt');
    expect(r.filesModified).toEqual(['hello.txt']);
    expect(r.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(r.sessionId).toBe('cop-session-1');
    expect(existsSync(path.join(cwd, 'hello.txt'))).toBe(true);
  });

  it('reports a tool call denied for want of a user to approve it as a refusal', async () => {
    const r = await run('denied').result;
    expect(r.success).toBe(true);
    expect(r.refusals).toEqual([
      { tool: 'create', target: '/outside/hello.txt', reason: expect.stringMatching(/^Permission denied because no interactive user/) as string },
    ]);
    expect(r.filesModified).toEqual([]);
  });

  it('still succeeds with zero usage when no usage file was written', async () => {
    const r = await run('no-usage-file').result;
    expect(r.success).toBe(true);
    expect(r.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('sends the prompt on stdin, not in argv, and removes its usage file afterwards', async () => {
    const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-rec-')), 'rec.json');
    await run('success', { record }).result;
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; stdin: string };
    expect(seen.stdin).toBe('create hello.txt');
    expect(seen.argv).not.toContain('-p');
    expect(seen.argv.join(' ')).not.toContain('create hello.txt');
    const usageFile = seen.argv[seen.argv.indexOf('--usage-output-file') + 1]!;
    expect(existsSync(path.dirname(usageFile))).toBe(false);
  });

  it.each([
    ['api-401', 'auth'],
    ['api-429', 'rate_limit'],
    ['api-500', 'server'],
    ['refused', 'network'],
    ['malformed', 'bad_output'],
  ])('maps %s to %s', async (scenario, kind) => {
    const r = await run(scenario).result;
    expect(r.success).toBe(false);
    expect(r.error?.kind).toBe(kind);
  });
});

describe('copilot argv', () => {
  const agent = (extra: Record<string, unknown> = {}) => agentSchema.parse({ type: 'copilot', ...extra });

  it('allows all tools for implement and denies write and shell for review', () => {
    const implement = buildCopilotArgs(agent(), 'implement');
    const review = buildCopilotArgs(agent(), 'review');
    expect(implement).toContain('--allow-all-tools');
    expect(implement).not.toContain('--deny-tool');
    expect(review.join(' ')).toContain('--deny-tool write --deny-tool shell');
    for (const args of [implement, review]) expect(args).not.toContain('--yolo');
  });

  it('uses --yolo only when the config allows bypassing, and never for review', () => {
    expect(buildCopilotArgs(agent({ allow_bypass_permissions: true }), 'implement')).toContain('--yolo');
    expect(buildCopilotArgs(agent({ allow_bypass_permissions: true }), 'review')).not.toContain('--yolo');
  });

  it('passes the model and appends the configured args', () => {
    const args = buildCopilotArgs(agent({ model: 'gpt-4.1', args: ['--log-level', 'none'] }), 'implement');
    expect(args).toEqual(expect.arrayContaining(['--model', 'gpt-4.1']));
    expect(args.slice(-2)).toEqual(['--log-level', 'none']);
  });
});
