/**
 * Bad input from a careless user or a hostile script gets one line on stderr and a non-zero
 * exit code — never a stack trace — and with --json a parseable error object on stdout.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

const STACK = /\n\s+at /;

function expectOneLineError(result: CliResult, code = 2): void {
  expect(result.code).toBe(code);
  expect(result.stderr).not.toMatch(STACK);
  expect(result.stderr).not.toContain('unexpected error');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

describe('limits in the configuration', () => {
  it('rejects a timeout Node cannot time (9999999 s) in validate, with file:line:column', async () => {
    const file = path.join(tempDir(), 'agents.yaml');
    writeFileSync(file, 'agents:\n  slow:\n    command: /bin/cat\n    timeout: 9999999\n');
    const result = await runCli(['validate', '--config', file], { env: { AI_ORCHESTRATOR_HOME: tempDir() } });
    expectOneLineError(result);
    expect(result.stderr).toMatch(/agents\.yaml:4:14 agent "slow" field "timeout": at most 2147483 seconds/);
  });
});

/** A graph export holding the given nodes (all fields the importer requires). */
function graphFile(nodes: readonly { id: string; title: string; type?: string; content?: string }[]): string {
  const file = path.join(tempDir(), 'graph.json');
  const at = '2025-01-01T00:00:00.000Z';
  writeFileSync(
    file,
    JSON.stringify({
      format: 'ai-orchestrator-context-graph',
      version: 1,
      exportedAt: at,
      nodes: nodes.map((n) => ({
        id: n.id, type: n.type ?? 'concept', title: n.title, content: n.content ?? 'content', tags: [], metadata: {},
        projectId: '', importance: 1, createdAt: at, updatedAt: at,
      })),
      edges: [],
    }),
  );
  return file;
}

describe('one line for every bad input', () => {
  const env = (): Record<string, string> => ({ AI_ORCHESTRATOR_HOME: tempDir('aio-home-') });

  it.each([
    ['an Obsidian export onto a file (/etc/passwd)', ['context', 'export', '--obsidian', '/etc/passwd'], /cannot export to \/etc\/passwd: it is a file/],
    ['an Obsidian export below a file', ['context', 'export', '--obsidian', '/etc/passwd/vault'], /cannot export to \/etc\/passwd\/vault: a part of the path is a file/],
    ['a JSON export into a missing folder', ['context', 'export', '--json', '/nonexistent-aio/graph.json'], /folder \/nonexistent-aio does not exist/],
    ['a JSON export onto a folder', ['context', 'export', '--json', '/tmp'], /cannot write \/tmp: it is a folder/],
    ['an absurd age for tasks clean', ['tasks', 'clean', '--older-than', '99999999999d'], /--older-than must be at most 100 years/],
    ['an absurd --limit for tasks list', ['tasks', 'list', '--limit', '99999999999999999999'], /--limit must be a whole number from 1 to 1000000/],
    ['an absurd --limit for context search', ['context', 'search', 'x', '--limit', '1e300'], /--limit must be a whole number/],
  ])('%s', async (_label, args, message) => {
    const result = await runCli(args, { env: env() });
    expectOneLineError(result);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a 5,000-level deep JSON import without overflowing the stack', async () => {
    const deep = path.join(tempDir(), 'deep.json');
    const metadata = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    writeFileSync(
      deep,
      `{"format":"ai-orchestrator-context-graph","version":1,"exportedAt":"x","nodes":[{"id":"n","type":"concept","title":"t","content":"c","tags":[],"metadata":${metadata},"projectId":"","importance":1,"createdAt":"x","updatedAt":"x"}],"edges":[]}`,
    );
    const result = await runCli(['context', 'import', deep], { env: env() });
    expectOneLineError(result);
    expect(result.stderr).toContain('nested deeper than 64 levels');
  });

  it('scans a project whose folders nest beyond 512 characters of path', async () => {
    const root = tempDir('aio-deep-');
    let dir = root;
    while (dir.length - root.length < 600) dir = path.join(dir, 'abcdefghijklmnopqrstuvwxyz0123456789');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'deep.ts'), 'export const x = 1;\n');
    const result = await runCli(['context', 'scan', root, '--json'], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const scan = JSON.parse(result.stdout) as { project: { fileCount: number }; directories: number };
    expect(scan.project.fileCount).toBe(1);
    expect(scan.directories).toBe(1);
  });

  it('cuts Obsidian note names by bytes and goes on past a note it cannot write', async () => {
    const home = env();
    const chinese = '这是一个非常长的中文任务标题用于测试文件名长度限制'.repeat(4).slice(0, 90);
    const file = graphFile([
      { id: 'long', title: chinese },
      { id: 'blocked', title: 'Blocked note' },
      { id: 'fine', title: 'Fine note' },
    ]);
    expect((await runCli(['context', 'import', file], { env: home })).code).toBe(0);
    const vault = tempDir('aio-vault-');
    // A folder where one note's file would go: that note fails, the others must still be written.
    mkdirSync(path.join(vault, 'Concepts', 'Blocked note.md'), { recursive: true });
    const result = await runCli(['context', 'export', '--obsidian', vault], { env: home });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(STACK);
    expect(result.stdout).toContain('wrote 2 notes');
    expect(result.stdout).toContain('1 notes skipped');
    expect(result.stderr).toContain('Concepts/Blocked note.md skipped');
    const names = readdirSync(path.join(vault, 'Concepts'));
    expect(names).toContain('Fine note.md');
    const long = names.find((name) => name.startsWith('这是'));
    expect(long).toBeDefined();
    expect(Buffer.byteLength(long ?? '', 'utf8')).toBeLessThanOrEqual(255);
  });
});

describe('argument errors from the parser', () => {
  it.each([
    ['a missing task', ['run'], "missing required argument 'task'"],
    ['an unknown option', ['tasks', 'list', '--frobnicate'], "unknown option '--frobnicate'"],
    ['an unknown command', ['frobnicate'], "unknown command 'frobnicate'"],
    ['a misspelt option (with its suggestion on the same line)', ['tasks', 'list', '--jsn'], "unknown option '--jsn' (Did you mean --json?)"],
  ])('%s is one line and exit code 2, without the help text', async (_label, args, message) => {
    const result = await runCli(args, { env: { AI_ORCHESTRATOR_HOME: tempDir() } });
    expectOneLineError(result);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
    expect(result.stdout).toBe('');
  });

  it('still prints help and the version with exit code 0', async () => {
    const help = await runCli(['tasks', 'list', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage:');
  });
});

describe('--json failures are JSON on stdout', () => {
  it.each([
    ['a bad option value', ['tasks', 'list', '--json', '--limit', '0'], 'INVALID_INPUT'],
    ['an unknown task', ['tasks', 'show', 'ffffffff-0000', '--json'], 'TASK_NOT_FOUND'],
    ['a parser error', ['tasks', 'show', '--json'], 'USAGE'],
    ['an unknown option', ['agents', '--json', '--frobnicate'], 'USAGE'],
  ])('%s', async (_label, args, code) => {
    const result = await runCli(args, { env: { AI_ORCHESTRATOR_HOME: tempDir() } });
    expect(result.code).toBe(2);
    const parsed = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message.length).toBeGreaterThan(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a broken config fails with CONFIG_INVALID as JSON', async () => {
    const file = path.join(tempDir(), 'agents.yaml');
    writeFileSync(file, 'agents:\n  a:\n    command: x\n    timeout: soon\n');
    const result = await runCli(['agents', '--json', '--config', file]);
    expect(result.code).toBe(2);
    expect((JSON.parse(result.stdout) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('agents.yaml:4:14') as unknown,
    });
  });
});
