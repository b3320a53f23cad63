// The README's screenshots of the web UI (docs/screenshots/*.png), made again the same way every
// time: the UI built from ui/, `serve`'s server on a loopback port over a scratch home, fixture
// agents (test/fixtures/bin) as real processes — one of them changing a file in a scratch git
// repository — a fake Ollama for the model servers, and Debian's chromium at 1000 × 760 (the
// config page at 375 px), light unless the name says dark.
//
//   node --import tsx scripts/screenshots.mjs [out-dir]     (default docs/screenshots)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { stringify } from 'yaml';
import { createLogger } from '../src/observability/logger.ts';
import { startServer } from '../src/server/start-server.ts';
import { closeAllDatabases } from '../src/storage/database.ts';
import { startFakeOllama } from '../test/fake-local/fake-ollama.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const FAKE_CLI = path.join(ROOT, 'test/fixtures/bin/fake-cli.mjs');
const REVIEW_OK = 'Looks good: the retry covers both the timeout and the 503.\n```json\n{"suggestions": []}\n```';
const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs/screenshots'));
const agent = (env, extra = {}) => ({ type: 'generic', command: FAKE_CLI, env, ...extra });

const root = mkdtempSync(path.join(os.tmpdir(), 'aio-screenshots-'));
const uiDir = path.join(root, 'ui');
await build({ configFile: path.join(ROOT, 'ui/vite.config.mjs'), build: { outDir: uiDir, emptyOutDir: true }, logLevel: 'error' });
const home = path.join(root, 'home');
mkdirSync(home);
const repo = path.join(root, 'shop');
mkdirSync(path.join(repo, 'src'), { recursive: true });
writeFileSync(path.join(repo, 'src/http.ts'), 'export async function get(url: string) {\n  return fetch(url);\n}\n');
const gitIn = (...args) => execFileSync('git', ['-c', 'user.name=Screenshots', '-c', 'user.email=screenshots@example.invalid', ...args], { cwd: repo, stdio: 'ignore' });
gitIn('init', '-q', '-b', 'main');
gitIn('add', '-A');
gitIn('commit', '-q', '-m', 'initial');

const ollama = await startFakeOllama({ models: ['qwen2.5-coder:7b', 'mistral:7b-instruct'] });
const configFile = path.join(root, 'agents.yaml');
writeFileSync(
  configFile,
  stringify({
    agents: {
      coder: agent({
        FAKE_STDOUT: 'Added a retry with backoff to get(): three attempts, on timeouts and 5xx answers.',
        FAKE_SLEEP_MS: '400',
        FAKE_WRITE_FILE: 'src/http.ts',
        FAKE_WRITE_CONTENT:
          'const ATTEMPTS = 3;\n\nexport async function get(url: string) {\n  for (let attempt = 1; ; attempt++) {\n    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });\n    if (response.status < 500 || attempt === ATTEMPTS) return response;\n    await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 100));\n  }\n}\n',
      }),
      reviewer: agent({ FAKE_STDOUT: REVIEW_OK, FAKE_SLEEP_MS: '300' }),
      flaky: agent({ FAKE_STDERR: 'error: 429 rate limit exceeded', FAKE_EXIT: '1' }, { resilience: { retry: { max_attempts: 1 }, circuit_breaker: { failure_threshold: 1 } } }),
      'local-coder': { type: 'ollama', endpoint: ollama.url, model: 'qwen2.5-coder:7b' },
    },
    workflows: {
      default: [{ agent: 'coder', task: 'implement' }, { agent: 'reviewer', task: 'review' }],
      quick: [{ agent: 'coder', task: 'implement' }],
      flaky: [{ agent: 'flaky', task: 'implement' }],
    },
    settings: { create_reports: false, enable_context_memory: true, max_iterations: 2 },
  }),
);
const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  home,
  env: { AI_ORCHESTRATOR_HOME: home },
  workspace: repo,
  configPath: configFile,
  logger: createLogger({ level: 'silent' }),
  print: () => undefined,
  handleSignals: false,
  uiDir,
});
try {
  const main = server.service.submit({ task: 'Retry failed HTTP requests in src/http.ts with backoff', cwd: repo });
  await main.done;
  await server.service.submit({ task: 'Trip the breaker', workflow: 'flaky', cwd: repo }).done;
  await server.service.submit({ task: 'Document the retry policy in the README', workflow: 'quick', cwd: repo }).done;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  const shoot = async (name, { hash, width = 1000, height = 760, scheme = 'light', fullPage = false, prepare }) => {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(server.loginLink().replace(/#.*/, ''));
    await page.goto(`${server.url}/#/${hash}`);
    // A fresh load of the route: a hash change that comes before the page listens for it is lost.
    await page.reload();
    await prepare?.(page);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage });
    await context.close();
  };
  const openFirstFile = async (page) => {
    await page.getByTestId('task-status').filter({ hasText: 'completed' }).waitFor();
    await page.locator('[data-file] summary').first().click();
    await page.getByLabel('Patch of src/http.ts').waitFor();
  };
  mkdirSync(out, { recursive: true });
  await shoot('new-task', { hash: 'new', prepare: (page) => page.getByRole('region', { name: 'Workflow steps' }).waitFor() });
  await shoot('task-light', { hash: `task/${main.taskId}`, fullPage: true, prepare: openFirstFile });
  await shoot('task-dark', { hash: `task/${main.taskId}`, fullPage: true, scheme: 'dark', prepare: openFirstFile });
  await shoot('history', { hash: 'history', prepare: (page) => page.locator('.list li').first().waitFor() });
  await shoot('agents', { hash: 'agents', prepare: (page) => page.locator('[data-agent="flaky"]').filter({ hasText: 'circuit open' }).waitFor() });
  await shoot('models', { hash: 'models', prepare: (page) => page.locator('[data-backend="ollama"]').filter({ hasText: 'online' }).waitFor() });
  await shoot('memory', {
    hash: 'memory',
    prepare: async (page) => {
      await page.getByLabel('Search memory').fill('retry');
      await page.keyboard.press('Enter');
      await page.getByRole('list', { name: 'Memory results' }).locator('li').first().waitFor();
    },
  });
  await shoot('config-375px', { hash: 'config', width: 375, prepare: (page) => page.getByLabel('agents.yaml').waitFor() });
  await browser.close();
  console.log(`screenshots in ${out}`);
} finally {
  await server.close();
  await ollama.close();
  closeAllDatabases();
}
