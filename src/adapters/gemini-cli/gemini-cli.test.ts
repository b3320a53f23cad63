import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentSchema } from '../../config/schema.js';
import { buildGeminiCliArgs, GEMINI_DEFAULT_MODEL } from './gemini-cli-args.js';
import { createGeminiCliAdapter, geminiError } from './index.js';
import { fixtureRunner } from '../../../test/helpers/fixture-adapter.js';


const run = fixtureRunner('gemini', createGeminiCliAdapter);

describe('gemini-cli adapter against a fixture CLI', () => {
  it('joins the assistant deltas, counts only successful writes, and reads token stats', async () => {
    const { cwd, result } = run('success');
    const r = await result;
    expect(r.success).toBe(true);
    expect(r.output).toBe('done: wrote hello.txt');
    expect(r.filesModified).toEqual(['hello.txt']);
    expect(r.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(r.sessionId).toBe('gem-session-1');
    expect(existsSync(path.join(cwd, 'hello.txt'))).toBe(true);
  });

  it('reports a write outside the workspace as a refusal, and a failed edit as no refusal', async () => {
    const denied = await run('denied').result;
    expect(denied.success).toBe(true);
    expect(denied.refusals).toEqual([
      { tool: 'write_file', target: '/outside/hello.txt', reason: expect.stringMatching(/^Path not in workspace: /) as string },
    ]);
    expect((await run('success').result).refusals).toBeUndefined();
  });

  it('sends the prompt on stdin with an empty -p, trusts the folder and skips the relaunch', async () => {
    const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-rec-')), 'rec.json');
    await run('success', { record }).result;
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; stdin: string; env: Record<string, string> };
    expect(seen.stdin).toBe('create hello.txt');
    expect(seen.argv.slice(0, 2)).toEqual(['-p', '']);
    expect(seen.argv[seen.argv.indexOf('-m') + 1]).toBe(GEMINI_DEFAULT_MODEL);
    expect(seen.env['GEMINI_CLI_TRUST_WORKSPACE']).toBe('true');
    expect(seen.env['GEMINI_CLI_NO_RELAUNCH']).toBe('true');
  });

  it.each([
    ['api-401', 'auth'],
    ['api-429', 'rate_limit'],
    ['api-500', 'server'],
    ['refused', 'network'],
    ['auth-missing', 'auth'],
    ['untrusted', 'config'],
    ['malformed', 'bad_output'],
  ])('maps %s to %s', async (scenario, kind) => {
    const r = await run(scenario).result;
    expect(r.success).toBe(false);
    expect(r.error?.kind).toBe(kind);
  });

  it('reads HTTP statuses out of exit codes when the text has none', () => {
    expect(geminiError(145, 'boom').kind).toBe('auth');
    expect(geminiError(173, 'boom').kind).toBe('rate_limit');
    expect(geminiError(244, 'boom').kind).toBe('server');
    expect(geminiError(52, 'bad settings').kind).toBe('config');
  });
});

describe('gemini-cli argv', () => {
  const agent = (extra: Record<string, unknown> = {}) => agentSchema.parse({ type: 'gemini', ...extra });
  const mode = (args: string[]) => args[args.indexOf('--approval-mode') + 1];

  it('auto-approves edits for implement and keeps review in the default (read-only) mode', () => {
    expect(mode(buildGeminiCliArgs(agent(), 'implement'))).toBe('auto_edit');
    expect(mode(buildGeminiCliArgs(agent(), 'review'))).toBe('default');
    expect(buildGeminiCliArgs(agent(), 'implement')).not.toContain('--yolo');
  });

  it('uses yolo only when the config allows bypassing, and never for review', () => {
    expect(mode(buildGeminiCliArgs(agent({ allow_bypass_permissions: true }), 'refine'))).toBe('yolo');
    expect(mode(buildGeminiCliArgs(agent({ allow_bypass_permissions: true }), 'review'))).toBe('default');
  });

  it('passes the configured model and appends the configured args', () => {
    const args = buildGeminiCliArgs(agent({ model: 'gemini-2.5-pro', args: ['--debug'] }), 'implement');
    expect(args[args.indexOf('-m') + 1]).toBe('gemini-2.5-pro');
    expect(args.at(-1)).toBe('--debug');
  });
});
