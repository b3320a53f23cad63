/**
 * The `test-agent` action: submits the agent with exactly this prompt to the task service (a
 * one-step task), shows its live output on stderr, and prints the step's result (JSON with
 * `--json`, else the answer) on stdout. Ctrl+C or SIGTERM cancels it (its process group is
 * killed) and exits 130.
 */
import type { Command } from 'commander';
import type { AgentEvent } from '../../adapters/spec.js';
import type { StepRecord } from '../../events/events.js';
import { ERROR_CODES, OrchestratorError } from '../../shared/errors.js';
import { openCliContext } from '../context.js';
import { printJson, printLine } from '../output.js';
import { openCliTaskService } from '../task-service.js';
import type { TestAgentOptions } from './test-agent.js';

const EXIT_CANCELLED = ERROR_CODES.CANCELLED.exitCode;

/** The JSON `test-agent --json` prints (snake_case: a wire format scripts read). */
export interface TestAgentJson {
  readonly agent: string;
  readonly success: boolean;
  readonly output: string;
  /** `fix`: what to do about it (sign in, set a variable, start the server), when known. */
  readonly error: { readonly kind: string; readonly message: string; readonly fix?: string } | null;
  readonly files_modified: readonly string[];
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number; readonly cost_usd?: number };
  readonly duration_ms: number;
}

export async function runTestAgent(name: string, promptArgument: string, options: TestAgentOptions, command: Command): Promise<number> {
  const context = await openCliContext(command);
  const { config } = context.config();
  const agent = config.agents[name];
  if (!agent) {
    const known = Object.keys(config.agents);
    throw new OrchestratorError('AGENT_NOT_FOUND', `unknown agent "${name}" (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
  }
  const prompt = await readPrompt(promptArgument);
  const quiet = Boolean(context.globals.quiet);
  if (!agent.enabled && !quiet) process.stderr.write(`note: agent "${name}" is disabled in the configuration; running it anyway\n`);

  // An ordinary task of the service (visible in `tasks list`, cancellable from anywhere) whose
  // one step is this agent with exactly this prompt.
  const service = openCliTaskService(context);
  const submitted = service.submit({ task: prompt, agent: name, ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), source: 'test-agent' });
  const display = quiet ? undefined : createLiveDisplay();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++interrupts > 1) process.exit(EXIT_CANCELLED);
    process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl+C' : signal}: stopping ${name}\n`);
    void service.cancel(submitted.taskId).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result;
  try {
    for await (const stored of service.watch(submitted.taskId)) {
      if (stored.event.type === 'step.output') display?.event(stored.event.event);
    }
    result = await submitted.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    display?.end();
  }
  if (result.refusal) throw new OrchestratorError(result.refusal.code, result.refusal.message);
  const step = result.steps[0];
  const json = toJson(name, step);
  if (options.json) printJson(json);
  else {
    if (json.output) printLine(json.output);
    if (!quiet) process.stderr.write(`${summary(json)}\n`);
  }
  if (json.success) return 0;
  return result.status === 'cancelled' || step?.error?.kind === 'cancelled' ? EXIT_CANCELLED : 1;
}

/** The step a probe ran, as `test-agent --json` prints it (output and errors already redacted). */
export function toJson(agent: string, step: StepRecord | undefined): TestAgentJson {
  if (!step) {
    return { agent, success: false, output: '', error: { kind: 'cancelled', message: 'cancelled before the agent started' }, files_modified: [], usage: { input_tokens: 0, output_tokens: 0 }, duration_ms: 0 };
  }
  return {
    agent: step.agent,
    success: step.success,
    output: step.output,
    error: step.error ? { kind: step.error.kind, message: step.error.message, ...(step.error.fix ? { fix: step.error.fix } : {}) } : null,
    files_modified: step.filesModified,
    usage: {
      input_tokens: step.usage.inputTokens,
      output_tokens: step.usage.outputTokens,
      ...(step.usage.costUsd !== undefined ? { cost_usd: step.usage.costUsd } : {}),
    },
    duration_ms: step.durationMs,
  };
}

function summary(json: TestAgentJson): string {
  const status = json.success ? 'ok' : `failed (${json.error?.kind ?? 'unknown'}): ${json.error?.message ?? ''}`;
  const cost = json.usage.cost_usd !== undefined ? `, $${json.usage.cost_usd.toFixed(4)}` : '';
  const files = json.files_modified.length > 0 ? `, files: ${json.files_modified.join(', ')}` : '';
  const fix = json.error?.fix ? `\n  fix: ${json.error.fix}` : '';
  return `${json.agent}: ${status} — ${json.duration_ms} ms, ${json.usage.input_tokens} in / ${json.usage.output_tokens} out tokens${cost}${files}${fix}`;
}

/** The agent's events (redacted in the log) as they arrive, on stderr. Its error is left to the summary, which states it once. */
function createLiveDisplay() {
  let sawDelta = false;
  let midLine = false;
  const write = (text: string): void => {
    process.stderr.write(text);
    midLine = !text.endsWith('\n');
  };
  const line = (text: string): void => write(`${midLine ? '\n' : ''}${text}\n`);
  return {
    event: (event: AgentEvent): void => {
      switch (event.type) {
        case 'text-delta':
          sawDelta = true;
          write(event.text);
          break;
        case 'text':
          if (!sawDelta) line(event.text);
          break;
        case 'tool-call':
          line(`→ ${event.name}${describeInput(event.input)}`);
          break;
        case 'tool-result':
          if (!event.ok) line(`✗ tool failed${event.output ? `: ${oneLine(event.output)}` : ''}`);
          break;
        case 'file-change':
          line(`± ${event.kind} ${event.path}`);
          break;
        case 'refusal':
          line(`⊘ refused: ${event.tool}${event.target !== undefined ? ` ${event.target}` : ''} — ${oneLine(event.reason)}`);
          break;
        case 'error':
        case 'start':
        case 'usage':
        case 'session':
        case 'finish':
        case 'proposed-change':
          break;
      }
    },
    end: (): void => {
      if (midLine) write('\n');
    },
  };
}

function describeInput(input: unknown): string {
  if (input === undefined) return '';
  const text = oneLine(typeof input === 'string' ? input : JSON.stringify(input));
  return ` ${text.length > 120 ? `${text.slice(0, 120)}…` : text}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

async function readPrompt(argument: string): Promise<string> {
  let prompt = argument;
  if (argument === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    prompt = Buffer.concat(chunks).toString('utf8');
  }
  if (prompt.trim() === '') throw new OrchestratorError('INVALID_INPUT', 'the prompt is empty');
  return prompt;
}
