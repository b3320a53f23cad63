import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const AGENT_FIELDS = ['name', 'type', 'role', 'enabled', 'available', 'description'];

describe('ai-orchestrator with the built-in configuration', () => {
  it('lists the 7 default agents with their fields as JSON on stdout', async () => {
    const result = await runCli(['agents', '--json'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    const { agents } = JSON.parse(result.stdout) as { agents: Record<string, unknown>[] };
    expect(agents.map((a) => a['name'])).toEqual([
      'codex', 'gemini', 'claude', 'copilot', 'local-code', 'local-instruct', 'local-large',
    ]);
    for (const agent of agents) for (const field of AGENT_FIELDS) expect(agent).toHaveProperty(field);
    expect(agents.find((a) => a['name'] === 'copilot')?.['enabled']).toBe(false);
  });

  it('lists the 7 default workflows with their steps', async () => {
    const result = await runCli(['workflows', '--json'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    const { workflows } = JSON.parse(result.stdout) as {
      workflows: { name: string; offline: boolean; steps: { agent: string; task: string; fallback: string | null }[] }[];
    };
    expect(workflows.map((w) => w.name)).toEqual([
      'default', 'quick', 'thorough', 'review-only', 'document', 'offline-default', 'hybrid',
    ]);
    const byName = Object.fromEntries(workflows.map((w) => [w.name, w]));
    expect(byName['default']?.steps.map((s) => `${s.agent}:${s.task}`)).toEqual(['codex:implement', 'gemini:review', 'claude:refine']);
    expect(byName['offline-default']?.offline).toBe(true);
    expect(byName['offline-default']?.steps.map((s) => s.task)).toEqual(['implement', 'review']);
    expect(byName['hybrid']?.steps[1]).toMatchObject({ agent: 'claude', task: 'review', fallback: 'local-instruct' });
  });

  it('lists dynamic, the workflow an agent plans, after the configured ones', async () => {
    const text = await runCli(['workflows'], { cwd: tempDir() });
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe(
      'dynamic — planned by an agent for each task (planner: the first available of claude, gemini, codex, local-instruct)',
    );
    const json = await runCli(['workflows', '--json'], { cwd: tempDir() });
    expect(JSON.parse(json.stdout)).toMatchObject({ dynamic: { planner: null, default: false } });
  });

  it('validates the default configuration with exit code 0', async () => {
    const result = await runCli(['validate'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid:');
  });

  it('prints the version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('validate on a broken configuration', () => {
  function writeConfig(text: string): string {
    const file = path.join(tempDir(), 'agents.yaml');
    writeFileSync(file, text);
    return file;
  }

  it('names the line of a YAML syntax error', async () => {
    const file = writeConfig('agents:\n  codex:\n    command: codex\n    args: [a, b\n');
    const result = await runCli(['validate', '--config', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/agents\.yaml:\d+:\d+ YAML syntax error/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the line, column and agent of an unknown workflow agent', async () => {
    const file = writeConfig(
      'agents:\n  codex:\n    command: codex\n  gemini:\n    command: gemini\nworkflows:\n  default:\n    - agent: codex\n      task: implement\n    - agent: gemni\n      task: review\n',
    );
    // --config after the command name and before it are both accepted.
    for (const args of [['validate', '--config', file], ['--config', file, 'validate']]) {
      const result = await runCli(args);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('agents.yaml:10:14 workflow "default" step 2 names unknown agent "gemni"');
    }
  });

  it('names the line and the field of a wrong field type', async () => {
    const file = writeConfig('agents:\n  codex:\n    command: codex\n    timeout: soon\n');
    const result = await runCli(['validate', '--config', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('agents.yaml:4:14 agent "codex" field "timeout": expected number, received string');
  });

  it('names a misspelt field instead of ignoring it', async () => {
    const file = writeConfig('agents:\n  codex:\n    command: codex\n    timout: 5\n');
    const result = await runCli(['validate', '--config', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('agents.yaml:4:5 agent "codex" field "timout": unknown field; did you mean "timeout"?');
  });

  it('names the setting of a misspelt field with the known name nearest to it, and says an empty file is empty', async () => {
    const misspelt = await runCli(['validate', '--config', writeConfig('agents:\n  codex:\n    command: codex\nsettings:\n  max_iteratons: 5\n')]);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('agents.yaml:5:3 setting "max_iteratons": unknown field; did you mean "max_iterations"?');
    const empty = await runCli(['validate', '--config', writeConfig('')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('agents.yaml:1:1 the file is empty');
  });

  it('fails every data command on a broken config, with the same one-line message', async () => {
    const file = writeConfig('agents:\n  codex:\n    command: codex\n    timeout: soon\n');
    const result = await runCli(['agents', '--json', '--config', file]);
    expect(result.code).not.toBe(0);
    // With --json the failure is also a JSON object on stdout, for scripts.
    expect((JSON.parse(result.stdout) as { error: { code: string } }).error.code).toBe('CONFIG_INVALID');
    expect(result.stderr).toContain('agents.yaml:4:14');
  });
});

describe('output to a closed pipe', () => {
  it('exits quietly when the reader is gone before it writes (ai-orchestrator workflows | true)', async () => {
    const { execFile } = await import('node:child_process');
    const { CLI } = await import('../helpers/cli.js');
    // A real pipe whose reader exits at once, as `| head` does once it has what it wants.
    const script = `"${process.execPath}" "${CLI}" workflows | true; echo "status=\${PIPESTATUS[0]}" >&2`;
    const stderr = await new Promise<string>((resolve) =>
      execFile('bash', ['-c', script], { env: { ...process.env, NO_COLOR: '1' } }, (_e, _out, err) => resolve(err)),
    );
    expect(stderr).not.toMatch(/EPIPE|unexpected error/);
    expect(stderr).toContain('status=0');
  });
});
