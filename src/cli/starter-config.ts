/**
 * The text of a starter `agents.yaml` for what was found on this machine: coding CLIs on PATH and
 * local model servers that answered. Written by hand rather than serialised so it can carry the
 * comments a first-time user needs; strings are JSON-quoted, which YAML reads as double-quoted.
 */

export type CliName = 'claude' | 'codex' | 'gemini' | 'copilot';

export interface FoundCli {
  readonly name: CliName;
  /** Where it was found (a comment in the file, so the user sees which one is meant). */
  readonly path: string;
}

export interface FoundServer {
  readonly type: 'ollama' | 'llamacpp' | 'openai-compatible';
  readonly endpoint: string;
  /** A model the server has (Ollama lists its pulled models); absent when it cannot say. */
  readonly model?: string;
}

const CLI_DESCRIPTIONS: Record<CliName, string> = {
  claude: 'Anthropic Claude Code',
  codex: 'OpenAI Codex CLI',
  gemini: 'Google Gemini CLI',
  copilot: 'GitHub Copilot CLI',
};

const SERVER_NAMES: Record<FoundServer['type'], string> = {
  ollama: 'local-ollama',
  llamacpp: 'local-llama-server',
  'openai-compatible': 'local-openai',
};

const SERVER_DESCRIPTIONS: Record<FoundServer['type'], string> = {
  ollama: 'Local model served by Ollama',
  llamacpp: "Local model served by llama.cpp's llama-server",
  'openai-compatible': 'Local model behind an OpenAI-compatible server',
};

/** Who each step prefers, best first: the CLIs' usual strengths (as in the built-in default workflow). */
const PREFERENCE: Record<'implement' | 'review' | 'refine', readonly CliName[]> = {
  implement: ['codex', 'claude', 'gemini', 'copilot'],
  review: ['gemini', 'claude', 'codex', 'copilot'],
  refine: ['claude', 'codex', 'gemini', 'copilot'],
};

export interface StarterWorkflow {
  readonly steps: readonly { readonly agent: string; readonly task: 'implement' | 'review' | 'refine'; readonly fallback?: string }[];
}

/** implement → review → refine from the CLIs found (a reviewer other than the implementer when there is one); local models alone do implement → review. */
export function starterWorkflow(clis: readonly FoundCli[], servers: readonly FoundServer[]): StarterWorkflow {
  const names = clis.map((c) => c.name);
  const local = servers.map((s) => SERVER_NAMES[s.type]);
  const pick = (task: keyof typeof PREFERENCE, avoid?: string): string | undefined =>
    PREFERENCE[task].find((n) => names.includes(n) && n !== avoid) ?? PREFERENCE[task].find((n) => names.includes(n));
  const implementer = pick('implement');
  if (implementer === undefined) {
    const [first, second] = local;
    if (first === undefined) return { steps: [] };
    return { steps: [{ agent: first, task: 'implement' }, { agent: second ?? first, task: 'review' }] };
  }
  const reviewer = pick('review', implementer) ?? implementer;
  const refiner = pick('refine', reviewer) ?? implementer;
  const localFallback = local[0];
  return {
    steps: [
      { agent: implementer, task: 'implement' },
      { agent: reviewer, task: 'review', ...(localFallback ? { fallback: localFallback } : {}) },
      { agent: refiner, task: 'refine' },
    ],
  };
}

const q = (value: string): string => JSON.stringify(value);

export function starterConfigText(clis: readonly FoundCli[], servers: readonly FoundServer[], now = new Date()): string {
  const workflow = starterWorkflow(clis, servers);
  const lines = [
    `# ai-orchestrator configuration, written by \`ai-orchestrator init\` on ${now.toISOString().slice(0, 10)}`,
    '# from the coding CLIs on PATH and the local model servers that answered.',
    '# Agent names are free; `type` picks the adapter (cli: chosen by the command name).',
    '# Check it with `ai-orchestrator validate`; list it with `ai-orchestrator agents` and `workflows`.',
    '',
    'agents:',
  ];
  for (const cli of clis) {
    lines.push(
      `  # found at ${cli.path}`,
      `  ${cli.name}:`,
      '    type: cli',
      `    command: ${cli.name}`,
      '    enabled: true',
      '    timeout: 3600 # seconds before its process group is killed',
      `    description: ${q(CLI_DESCRIPTIONS[cli.name])}`,
    );
  }
  for (const server of servers) {
    lines.push(
      `  ${SERVER_NAMES[server.type]}:`,
      `    type: ${server.type}`,
      `    endpoint: ${q(server.endpoint)}`,
      server.model !== undefined ? `    model: ${q(server.model)}` : '    # model: the model to ask (the server\'s default when absent)',
      '    enabled: true',
      '    offline: true # kept when offline mode is on',
      '    timeout: 3600',
      `    description: ${q(SERVER_DESCRIPTIONS[server.type])}`,
    );
  }
  lines.push(
    '',
    '# A workflow is a list of steps; a task runs them in order and repeats review → refine',
    '# until the review converges (settings.max_iterations). `--workflow dynamic` asks an agent to plan one.',
    'workflows:',
    '  default:',
  );
  for (const step of workflow.steps) {
    lines.push(`    - agent: ${step.agent}`, `      task: ${step.task}`);
    if (step.fallback) lines.push(`      fallback: ${step.fallback} # used when ${step.agent} fails or is offline`);
  }
  lines.push('', 'settings:', '  max_iterations: 3', '  # budget_usd: 5 # stop a task before the next step once this much is spent', '');
  return lines.join('\n');
}
