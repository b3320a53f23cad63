/**
 * `ai-orchestrator doctor` checks each CLI's credentials without calling a model: a variable in
 * the environment the agent would get, or the sign-in file its CLI keeps under HOME — and shows
 * the auth failures recorded since the agent last succeeded, with the fix (as `agents` does).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli, tempDir } from '../helpers/cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/bin');

function setup() {
  const home = tempDir('aio-doctor-home-');
  const userHome = tempDir('aio-doctor-user-');
  const config = path.join(home, 'agents.yaml');
  writeFileSync(
    config,
    stringify({
      agents: {
        claude: { type: 'claude', command: path.join(FIXTURES, 'fake-claude.mjs') },
        codex: { type: 'codex', command: path.join(FIXTURES, 'fake-codex.mjs'), env: { FAKE_SCENARIO: 'api-401' } },
      },
    }),
  );
  // Only what the test gives: no key of the machine running the tests leaks in.
  const env = { AI_ORCHESTRATOR_HOME: home, HOME: userHome, ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: '', CLAUDE_CODE_OAUTH_TOKEN: '', OPENAI_API_KEY: '', CODEX_API_KEY: '', CODEX_HOME: undefined, CLAUDE_CONFIG_DIR: undefined };
  return { config, userHome, env };
}

const line = (stdout: string, check: string): string[] => {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.includes(` ${check}: `));
  return at < 0 ? [] : lines.slice(at, lines[at + 1]?.startsWith('     fix: ') ? at + 2 : at + 1);
};

describe('doctor: credentials', () => {
  it('warns with the fix when a CLI has neither a variable nor a sign-in file under HOME', async () => {
    const s = setup();
    const result = await runCli(['doctor', '--config', s.config], { env: s.env });
    expect(result.code, result.stderr).toBe(0);
    expect(line(result.stdout, 'credentials:claude')).toEqual([
      `warn credentials:claude: no ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN, CLAUDE_CODE_USE_BEDROCK or CLAUDE_CODE_USE_VERTEX set, and no sign-in in ${s.userHome}/.claude/.credentials.json`,
      '     fix: sign in once: run `claude` and type /login, or set ANTHROPIC_API_KEY in your environment or in agents.claude.env',
    ]);
    expect(line(result.stdout, 'credentials:codex')[0]).toMatch(/^warn credentials:codex: no OPENAI_API_KEY or CODEX_API_KEY set/);
  });

  it('passes on a variable or a sign-in file, and names an auth failure recorded since the last success', async () => {
    const s = setup();
    mkdirSync(path.join(s.userHome, '.codex'));
    writeFileSync(path.join(s.userHome, '.codex', 'auth.json'), '{"tokens":{}}');
    const env = { ...s.env, ANTHROPIC_API_KEY: 'sk-ant-test' };
    const clean = await runCli(['doctor', '--config', s.config], { env });
    expect(line(clean.stdout, 'credentials:claude')).toEqual(['ok   credentials:claude: ANTHROPIC_API_KEY is set']);
    expect(line(clean.stdout, 'credentials:codex')).toEqual([`ok   credentials:codex: signed in (${s.userHome}/.codex/auth.json)`]);

    // The codex fixture answers 401: the sign-in file is there, but refused.
    const failed = await runCli(['test-agent', 'codex', 'hi', '--config', s.config, '--cwd', tempDir()], { env });
    expect(failed.code).toBe(1);
    const after = await runCli(['doctor', '--json', '--config', s.config], { env });
    const checks = (JSON.parse(after.stdout) as { checks: { name: string; status: string; detail: string; fix?: string }[] }).checks;
    expect(checks.find((c) => c.name === 'credentials:codex')).toEqual({
      name: 'credentials:codex',
      status: 'warn',
      detail: expect.stringMatching(new RegExp(`^signed in \\(${s.userHome}/\\.codex/auth\\.json\\), but 1 auth failure since its last success, the last at \\S+ \\(task [0-9a-f]{8}\\)$`)) as unknown,
      fix: 'run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env',
    });
    expect(after.code).toBe(0);
    // The agents listing gives the last failure its fix too (the web UI's agents page reads the same).
    const agents = await runCli(['agents', '--config', s.config], { env });
    expect(agents.stdout).toContain('codex: last failure auth — fix: run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env');
    const json = JSON.parse((await runCli(['agents', '--json', '--config', s.config], { env })).stdout) as { agents: { name: string; health: Record<string, unknown> }[] };
    expect(json.agents.find((a) => a.name === 'codex')?.health).toMatchObject({ last_failure_kind: 'auth', last_failure_fix: expect.stringContaining('codex login') as unknown });
  });
});
