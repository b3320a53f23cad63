/**
 * The web UI in a real browser (Debian's chromium through playwright-core) against `serve`'s
 * server on a loopback port, with fixture agents as real processes: a task watched to its end,
 * a cancel that stops the agent, a reload mid-task that shows every step once, the files a task
 * changed in a git repository with their patches, and the memory and model-server pages against a
 * finished task and a fake Ollama.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLogger } from '../../src/observability/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { closeAllDatabases } from '../../src/storage/database.js';
import { startFakeOllama, type FakeOllama } from '../fake-local/fake-ollama.js';
import { browserSuite, CHROMIUM, CHROMIUM_MISSING } from '../helpers/chromium.js';
import { isAlive, readPid, waitGone } from '../helpers/fake-cli.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { git, gitRepo } from '../helpers/git-repo.js';
import { fixtureAgent, REVIEW_OK } from '../helpers/server-fixture.js';


let browser: Browser;
let context: BrowserContext;
let server: RunningServer;
let root: string;
let configFile: string;
let ollama: FakeOllama;
const pidFile = (): string => path.join(root, 'hang.pid');

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'aio-web-ui-'));
  const uiDir = path.join(root, 'ui');
  const { build } = await import('vite');
  await build({ configFile: path.join(REPO_ROOT, 'ui/vite.config.mjs'), build: { outDir: uiDir, emptyOutDir: true }, logLevel: 'error' });
  const home = path.join(root, 'home');
  mkdirSync(home);
  configFile = path.join(root, 'agents.yaml');
  ollama = await startFakeOllama({ models: ['mistral:7b-instruct'] });
  writeFileSync(
    configFile,
    stringify({
      agents: {
        coder: fixtureAgent({ FAKE_STDOUT: 'implemented the change', FAKE_SLEEP_MS: '1200' }),
        checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK }),
        hanger: fixtureAgent({ FAKE_HANG: '1', FAKE_PID_FILE: path.join(root, 'hang.pid') }),
        writer: fixtureAgent({ FAKE_STDOUT: 'wrote the notes', FAKE_WRITE_FILE: 'notes.txt', FAKE_WRITE_CONTENT: 'first line\nwritten by the agent\n' }),
        // A rate-limited agent whose circuit opens at its first failure.
        flaky: fixtureAgent({ FAKE_STDERR: 'error: 429 rate limit exceeded', FAKE_EXIT: '1' }, { resilience: { retry: { max_attempts: 1 }, circuit_breaker: { failure_threshold: 1 } } }),
        'local-model': { type: 'ollama', endpoint: ollama.url, model: 'mistral:7b-instruct' },
      },
      workflows: {
        default: [{ agent: 'coder', task: 'implement' }, { agent: 'checker', task: 'review' }],
        hang: [{ agent: 'hanger', task: 'implement' }],
        write: [{ agent: 'writer', task: 'implement' }],
        flaky: [{ agent: 'flaky', task: 'implement' }],
      },
      settings: { create_reports: false, enable_context_memory: true, max_iterations: 1 },
    }),
  );
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    home,
    env: { AI_ORCHESTRATOR_HOME: home },
    workspace: root,
    configPath: configFile,
    logger: createLogger({ level: 'silent' }),
    print: () => undefined,
    handleSignals: false,
    uiDir,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  await page.goto(server.loginLink());
  await page.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ollama?.close();
  closeAllDatabases();
});

async function startTask(page: Page, text: string, workflow: string): Promise<string> {
  await page.goto(`${server.url}/#/new`);
  await page.getByLabel('Task', { exact: true }).fill(text);
  await page.getByLabel('Workflow', { exact: true }).selectOption(workflow);
  await page.getByRole('button', { name: 'Start task' }).click();
  await page.waitForURL(/#\/task\//);
  return page.url().split('#/task/')[1] ?? '';
}

describe.skipIf(CHROMIUM_MISSING)(browserSuite('web UI in chromium'), () => {
  it('starts a task of fixture agents from the form (the workflow picker shows its steps) and watches it to the end', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/#/new`);
    await page.getByLabel('Workflow', { exact: true }).selectOption('default');
    await expect.poll(() => page.getByRole('region', { name: 'Workflow steps' }).innerText()).toMatch(/coder[\s\S]*implement[\s\S]*checker[\s\S]*review/);
    const taskId = await startTask(page, 'write the change', 'default');
    await page.getByTestId('task-status').filter({ hasText: 'completed' }).waitFor({ timeout: 30_000 });
    const steps = page.locator('[data-step]');
    expect(await steps.count()).toBe(2);
    await expect.poll(() => page.getByLabel('Output of coder').innerText()).toContain('implemented the change');
    expect(server.service.get(taskId)?.status).toBe('completed');
    await page.close();
  });

  it('cancels a running task with the Cancel button: its agent process is gone and the task is cancelled', async () => {
    const page = await context.newPage();
    const taskId = await startTask(page, 'never ends', 'hang');
    const pid = await readPid(pidFile(), 15_000);
    expect(isAlive(pid)).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('task-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 15_000 });
    expect(await waitGone(pid)).toBe(true);
    expect(server.service.get(taskId)?.status).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Resume' }).isEnabled()).toBe(true);
    await page.close();
  });

  it('a reload in the middle of a task shows every step once, live to the end', async () => {
    const page = await context.newPage();
    const taskId = await startTask(page, 'reload me', 'default');
    await page.locator('[data-step="1:0"]').waitFor({ timeout: 15_000 });
    expect(server.service.get(taskId)?.status).not.toBe('completed');
    await page.reload();
    await page.getByTestId('task-status').filter({ hasText: 'completed' }).waitFor({ timeout: 30_000 });
    const keys: (string | null)[] = [];
    for (const step of await page.locator('[data-step]').all()) keys.push(await step.getAttribute('data-step'));
    expect(keys).toEqual(['1:0', '1:1']);
    await page.close();
  });

  it("shows the files a task changed in a git repository, each file's patch opened from the keyboard", async () => {
    const repo = gitRepo({ 'notes.txt': 'first line\n', 'other.txt': 'untouched\n' });
    const { taskId, done } = server.service.submit({ task: 'write the notes', workflow: 'write', cwd: repo });
    await done;
    const page = await context.newPage();
    await page.goto(`${server.url}/#/task/${taskId}`);
    await page.getByTestId('task-status').filter({ hasText: 'completed' }).waitFor({ timeout: 15_000 });
    const files = page.getByRole('list', { name: 'Files changed' });
    const notes = files.locator('[data-file="notes.txt"]');
    await expect.poll(() => notes.innerText(), { timeout: 15_000 }).toMatch(/notes\.txt\s+modified\s+\+1 −0/);
    expect(await files.locator('li').count()).toBe(1);
    // Closed until asked for: the patch is not in the page yet.
    expect(await page.getByLabel('Patch of notes.txt').count()).toBe(0);
    await notes.locator('summary').focus();
    await page.keyboard.press('Enter');
    const patch = page.getByLabel('Patch of notes.txt');
    await expect.poll(() => patch.innerText()).toContain('+written by the agent');
    expect(await patch.locator('.add').count()).toBe(1);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    expect(git(repo, 'status', '--porcelain')).toContain('notes.txt');
    await page.close();
  });

  it('saving a broken config shows the line of the error and leaves the file unchanged', async () => {
    const page = await context.newPage();
    const before = readFileSync(configFile, 'utf8');
    await page.goto(`${server.url}/#/config`);
    const editor = page.getByLabel('agents.yaml');
    await expect.poll(() => editor.inputValue()).toContain('workflows:');
    const lines = before.split('\n');
    const at = lines.findIndex((line) => line.includes('max_iterations')) + 1;
    await editor.fill(before.replace(/max_iterations: 1/, 'max_iterations: lots'));
    await page.getByRole('button', { name: 'Save' }).click();
    const problem = page.getByRole('list', { name: 'Problems' });
    await expect.poll(() => problem.innerText()).toContain(`line ${at}`);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
    await page.close();
  });

  it('shows an open circuit on the agents page after an agent was rate-limited', async () => {
    await server.service.submit({ task: 'trip the breaker', workflow: 'flaky' }).done;
    const page = await context.newPage();
    await page.goto(`${server.url}/#/agents`);
    const flaky = page.locator('[data-agent="flaky"]');
    await expect.poll(() => flaky.innerText(), { timeout: 15_000 }).toContain('circuit open');
    expect(await flaky.innerText()).toContain('last failure: rate_limit');
    expect(await page.locator('[data-agent="coder"]').innerText()).toContain('circuit closed');
    await page.close();
  });

  it('finds a finished task on the memory page (by keyboard) and shows the Ollama server online on the models page', async () => {
    await server.service.submit({ task: 'paint the zebra crossing stripes', workflow: 'default' }).done;
    const page = await context.newPage();
    await page.goto(`${server.url}/#/memory`);
    await page.getByLabel('Search memory').fill('zebra crossing');
    await page.keyboard.press('Enter');
    const results = page.getByRole('list', { name: 'Memory results' });
    await expect.poll(() => results.innerText(), { timeout: 15_000 }).toContain('zebra crossing');
    // A string, evaluated in the page: this file is type-checked without the DOM's names.
    const overflow = (): Promise<number> => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);

    await page.getByRole('link', { name: 'Models' }).click();
    const backend = page.locator('[data-backend="ollama"]');
    await expect.poll(() => backend.innerText(), { timeout: 15_000 }).toContain('online');
    expect(await backend.innerText()).toContain('mistral:7b-instruct');
    expect(await backend.innerText()).toContain('local-model');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.close();
  });
});
