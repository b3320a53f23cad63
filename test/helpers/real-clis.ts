/**
 * Points the real coding CLIs (node_modules/.bin) at a fake provider: one agents.yaml whose
 * agents carry the `env` and `args` that redirect each CLI, per-test HOME / CODEX_HOME /
 * COPILOT_HOME directories, and Gemini's settings file. Retry-limiting knobs live here (test
 * config), not in the adapters.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir, type CliResult } from './cli.js';

export const REAL_CLIS = ['claude', 'codex', 'gemini', 'copilot'] as const;
export type RealCli = (typeof REAL_CLIS)[number];

const BIN = path.join(REPO_ROOT, 'node_modules/.bin');

export interface RealCliSetup {
  /** The working directory the agent edits. */
  readonly work: string;
  readonly home: string;
  readonly config: string;
}

/** Writes an isolated setup whose four agents talk to `baseUrl` (no trailing slash). */
export function realCliSetup(baseUrl: string, overrides: Partial<Record<RealCli, Record<string, unknown>>> = {}): RealCliSetup {
  const root = tempDir('aio-real-cli-');
  const work = path.join(root, 'work');
  const home = path.join(root, 'home');
  const codexHome = path.join(root, 'codex-home');
  const copilotHome = path.join(root, 'copilot-home');
  const orchestratorHome = path.join(root, 'orchestrator');
  for (const dir of [work, home, codexHome, copilotHome, orchestratorHome, path.join(home, '.gemini')]) mkdirSync(dir, { recursive: true });
  // Gemini: with GOOGLE_GEMINI_BASE_URL set, only a settings file selects API-key auth headless.
  writeFileSync(
    path.join(home, '.gemini/settings.json'),
    JSON.stringify({
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      general: { maxAttempts: 1 },
    }),
  );
  const provider = `model_providers.fake={name="fake",base_url="${baseUrl}/v1",env_key="FAKE_KEY",wire_api="responses",request_max_retries=0,stream_max_retries=0}`;
  const agents: Record<RealCli, Record<string, unknown>> = {
    claude: {
      type: 'claude',
      command: path.join(BIN, 'claude'),
      timeout: 120,
      env: {
        HOME: home,
        ANTHROPIC_BASE_URL: baseUrl,
        ANTHROPIC_API_KEY: 'sk-ant-fake-test-key',
        CLAUDE_CODE_MAX_RETRIES: '0',
      },
    },
    codex: {
      type: 'codex',
      command: path.join(BIN, 'codex'),
      model: 'gpt-5.5',
      timeout: 120,
      args: ['-c', 'model_provider=fake', '-c', provider],
      env: { HOME: home, CODEX_HOME: codexHome, FAKE_KEY: 'fake-test-key' },
    },
    gemini: {
      type: 'gemini',
      command: path.join(BIN, 'gemini'),
      model: 'gemini-2.5-flash',
      timeout: 120,
      env: { HOME: home, GEMINI_API_KEY: 'fake-test-key', GOOGLE_GEMINI_BASE_URL: baseUrl },
    },
    copilot: {
      type: 'copilot',
      command: path.join(BIN, 'copilot'),
      model: 'gpt-4.1',
      timeout: 120,
      env: {
        HOME: home,
        COPILOT_HOME: copilotHome,
        COPILOT_OFFLINE: 'true',
        COPILOT_PROVIDER_BASE_URL: `${baseUrl}/v1`,
        COPILOT_PROVIDER_API_KEY: 'fake-test-key',
      },
    },
  };
  // Keep what the CLIs leave in $TMPDIR (Gemini's error reports) inside this test's directory.
  for (const cli of REAL_CLIS) {
    const agent = agents[cli];
    agents[cli] = { ...agent, env: { ...(agent['env'] as Record<string, string>), TMPDIR: root }, ...overrides[cli] };
  }
  const config = path.join(root, 'agents.yaml');
  writeFileSync(config, stringify({ agents }));
  return { work, home: orchestratorHome, config };
}

export interface TestAgentJson {
  readonly agent: string;
  readonly success: boolean;
  readonly output: string;
  readonly error: { readonly kind: string; readonly message: string } | null;
  readonly files_modified: string[];
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number; readonly cost_usd?: number };
  readonly duration_ms: number;
}

/** `ai-orchestrator test-agent <cli> <prompt> --json` in the setup's working directory. */
export async function testAgent(
  setup: RealCliSetup,
  cli: string,
  prompt: string,
  timeoutMs = 110_000,
): Promise<CliResult & { json: TestAgentJson }> {
  const result = await runCli(['test-agent', cli, prompt, '--json', '--config', setup.config, '--cwd', setup.work], {
    cwd: setup.work,
    env: { AI_ORCHESTRATOR_HOME: setup.home },
    timeoutMs,
  });
  let json: TestAgentJson;
  try {
    json = JSON.parse(result.stdout) as TestAgentJson;
  } catch {
    throw new Error(`test-agent ${cli} printed no JSON (exit ${String(result.code)}):\n${result.stdout}\n${result.stderr.slice(-3000)}`);
  }
  return { ...result, json };
}
