/**
 * A key pasted into a task never lands anywhere: not in the database file, the reports and
 * outputs, the prompt an agent gets, `tasks show/list`, the JSON export, nor an Obsidian note's
 * file name or text. One task carries a secret of every recognised kind.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const CONFIGURED = 'literal-config-secret-value-42';

/** Every kind of secret recognised, each with the text that holds it in the task. */
const SECRETS: Readonly<Record<string, string>> = {
  anthropic: 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd',
  openai: 'sk-AbCdEfGhIjKlMnOpQrStUvWx0123456789',
  'openai project': 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  'github classic': 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  'github oauth': 'gho_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  'github fine-grained': 'github_pat_11ABCDEFG0abcdefghijklmnopqrstuvwxyz',
  slack: 'xoxb-123456789012-abcdefghijklmnop',
  google: 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'private key': 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretbody',
  'by name': 'hunter2-but-longer-9876',
  'configured env': CONFIGURED,
};

const TASK = [
  `Deploy with ${SECRETS['anthropic'] ?? ''} now`,
  `OpenAI ${SECRETS['openai'] ?? ''} and ${SECRETS['openai project'] ?? ''}`,
  `AWS ${SECRETS['aws'] ?? ''}; GitHub ${SECRETS['github classic'] ?? ''} ${SECRETS['github oauth'] ?? ''} ${SECRETS['github fine-grained'] ?? ''}`,
  `Slack ${SECRETS['slack'] ?? ''}, Google ${SECRETS['google'] ?? ''}, session ${SECRETS['jwt'] ?? ''}`,
  `DEPLOY_PASSWORD=${SECRETS['by name'] ?? ''}`,
  `the service secret is ${CONFIGURED}`,
  '-----BEGIN RSA PRIVATE KEY-----',
  SECRETS['private key'] ?? '',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

/** Every regular file under `dir` with its bytes as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file).toString('latin1') }));
}

function expectNoSecret(where: string, text: string): void {
  for (const [kind, secret] of Object.entries(SECRETS)) expect(text.includes(secret), `${kind} secret in ${where}`).toBe(false);
}

describe('a key pasted into the task', () => {
  it('never lands in the database, reports, outputs, prompts, listings, exports or note names', async () => {
    const home = tempDir('aio-home-');
    const work = tempDir('aio-work-');
    const prompt = path.join(tempDir(), 'prompt.txt');
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    writeFileSync(
      config,
      stringify({
        agents: { echo: { type: 'generic', command: FAKE_CLI, env: { SERVICE_TOKEN: CONFIGURED, FAKE_ECHO: '1', FAKE_STDIN_FILE: prompt } } },
        workflows: { default: [{ agent: 'echo', task: 'implement' }] },
      }),
    );
    const env = { AI_ORCHESTRATOR_HOME: home };
    const run = await runCli(['run', '-', '--json', '--config', config, '--cwd', work], { env, input: TASK });
    expect(run.code, run.stderr).toBe(0);
    const taskId = (JSON.parse(run.stdout) as { task_id: string }).task_id;

    const shown = await runCli(['tasks', 'show', taskId, '--json', '--config', config], { env });
    const listed = await runCli(['tasks', 'list', '--json', '--config', config], { env });
    expect(JSON.parse(shown.stdout)).toMatchObject({ task: expect.stringContaining('Deploy with [REDACTED] now') as unknown });
    const exportFile = path.join(tempDir(), 'graph.json');
    const vault = tempDir('aio-vault-');
    expect((await runCli(['context', 'export', '--json', exportFile, '--config', config], { env })).code).toBe(0);
    expect((await runCli(['context', 'export', '--obsidian', vault, '--config', config], { env })).code).toBe(0);

    expectNoSecret('the agent prompt', readFileSync(prompt, 'utf8'));
    for (const result of [run, shown, listed]) {
      expectNoSecret('command output', result.stdout);
      expectNoSecret('command errors', result.stderr);
    }
    // The home holds the database (with the memory), the reports and the outputs.
    const stored = filesUnder(home);
    expect(stored.map((f) => path.relative(home, f.file))).toEqual(
      expect.arrayContaining(['context.db', `reports/exec_${taskId}.json`, `output/${taskId}.md`]),
    );
    for (const { file, text } of stored) expectNoSecret(file, text);
    expectNoSecret('the JSON export', readFileSync(exportFile, 'utf8'));
    const notes = filesUnder(vault);
    expect(notes.some((note) => note.file.includes('Deploy with -REDACTED- now'))).toBe(true);
    for (const { file, text } of notes) {
      expectNoSecret(`the note name ${file}`, file);
      expectNoSecret(file, text);
    }
  });
});
