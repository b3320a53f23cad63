/**
 * A real coding assistant as our MCP client: the real Claude Code CLI (node_modules/.bin/claude)
 * starts `ai-orchestrator mcp` from an --mcp-config file and talks to the scripted fake provider on
 * 127.0.0.1. The provider answers the first turn with a tool_use of our tool
 * (`mcp__aio__<tool>`); Claude Code calls it over stdio and must send the tool's result back in
 * its next request.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeProvider, type FakeProvider, type ProviderRequest, type Script } from '../fake-provider/index.js';
import { CLI, REPO_ROOT, tempDir, type CliResult } from '../helpers/cli.js';

const CLAUDE = path.join(REPO_ROOT, 'node_modules/.bin/claude');
const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const REVIEW_OK = 'Looks complete.\n```json\n{"suggestions": []}\n```\n';
const TIMEOUT = 120_000;

const providers: FakeProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

/** Offers `tool` (with `input`) on the first turn that lists it, then answers with `answer`. */
function callToolThenAnswer(tool: string, input: Record<string, unknown>, answer: string): Script {
  return (request) => {
    if (request.toolResults > 0 || !offers(request, tool)) return { type: 'text', text: answer };
    return { type: 'tool-call', name: tool, input };
  };
}

function offers(request: ProviderRequest, tool: string): boolean {
  const tools = (request.body as { tools?: { name?: string }[] } | undefined)?.tools ?? [];
  return tools.some((t) => t.name === tool);
}

/** The text of the tool results the client sent back in a request. */
function toolResultText(request: ProviderRequest): string {
  const messages = (request.body as { messages?: { role: string; content: unknown }[] }).messages ?? [];
  return messages
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as { type?: string; content?: unknown }[]) : []))
    .filter((block) => block.type === 'tool_result')
    .map((block) => JSON.stringify(block.content))
    .join('\n');
}

function runClaude(args: readonly string[], prompt: string, env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE, [...args], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT - 10_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(prompt);
  });
}

async function claudeCalls(tool: string, input: Record<string, unknown>): Promise<{ fake: FakeProvider; result: CliResult; home: string }> {
  const fake = await startFakeProvider();
  providers.push(fake);
  const root = tempDir('aio-mcp-claude-');
  const [home, orchestratorHome, work] = ['home', 'orchestrator', 'work'].map((dir) => path.join(root, dir)) as [string, string, string];
  for (const dir of [home, orchestratorHome, work]) mkdirSync(dir, { recursive: true });
  const agents = { impl: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'implemented' } }, rev: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: REVIEW_OK } } };
  const config = path.join(root, 'agents.yaml');
  writeFileSync(config, stringify({ agents, workflows: { pair: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }] }, settings: { max_iterations: 1, create_reports: false } }));
  const mcpConfig = path.join(root, 'mcp.json');
  writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { aio: { command: process.execPath, args: [CLI, '--config', config, 'mcp'], env: { AI_ORCHESTRATOR_HOME: orchestratorHome } } } }));
  const name = `mcp__aio__${tool}`;
  fake.setScript(callToolThenAnswer(name, input, 'the orchestrator answered'));
  const env = {
    HOME: home,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'sk-ant-fake-test-key',
    CLAUDE_CODE_MAX_RETRIES: '0',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    TMPDIR: root,
    // Wait for our server before the first request (a busy machine may take seconds to start it).
    MCP_CONNECTION_NONBLOCKING: '0',
    MCP_TIMEOUT: '60000',
  };
  const result = await runClaude(['-p', '--output-format', 'json', '--mcp-config', mcpConfig, '--strict-mcp-config', '--allowedTools', name], 'use the orchestrator', env, work);
  expect(fake.requests.some((r) => offers(r, name)), `Claude Code did not offer ${name} to the model:\n${result.stderr.slice(-2000)}`).toBe(true);
  return { fake, result, home: orchestratorHome };
}

describe('Claude Code as the MCP client of ai-orchestrator mcp', () => {
  it('calls orchestrator_list_agents and sends its result back to the model', async () => {
    const { fake, result } = await claudeCalls('orchestrator_list_agents', {});
    expect(result.code, result.stderr.slice(-2000) + result.stdout.slice(-2000)).toBe(0);
    const final = JSON.parse(result.stdout) as { result?: string; is_error?: boolean };
    expect(final).toMatchObject({ is_error: false, result: 'the orchestrator answered' });
    const answered = fake.requests.find((r) => r.toolResults > 0);
    expect(answered, 'Claude Code sent no tool result back').toBeDefined();
    const sent = toolResultText(answered as ProviderRequest);
    expect(sent).toContain('\\"name\\":\\"impl\\"');
    expect(sent).toContain('\\"count\\":2');
  }, TIMEOUT);

  it('runs orchestrator_execute of a fixture workflow and sends the task result back to the model', async () => {
    const { fake, result } = await claudeCalls('orchestrator_execute', { task: 'add a health endpoint', workflow: 'pair' });
    expect(result.code, result.stderr.slice(-2000) + result.stdout.slice(-2000)).toBe(0);
    const sent = toolResultText(fake.requests.find((r) => r.toolResults > 0) as ProviderRequest);
    expect(sent).toContain('\\"success\\":true');
    expect(sent).toContain('[OK] impl (implement)');
    expect(sent).toContain('[OK] rev (review)');
    expect(sent).toMatch(/\\"task_id\\":\\"[0-9a-f-]{36}/);
  }, TIMEOUT);
});
