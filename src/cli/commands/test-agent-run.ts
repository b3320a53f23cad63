/**
 * The `test-agent` action: resolve the agent, run it once through its adapter with live output on
 * stderr, and print the folded result (JSON with `--json`, else the answer) on stdout. Ctrl+C or
 * SIGTERM aborts the agent (its process group is killed) and exits 130.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { detectChangedFiles } from '../../adapters/files-changed.js';
import { createAdapter } from '../../adapters/registry.js';
import { runAgent } from '../../adapters/run-agent.js';
import type { AgentEvent, AgentResult } from '../../adapters/spec.js';
import { createRedactor, secretValues, type Redactor } from '../../security/redact.js';
import { ERROR_CODES, OrchestratorError } from '../../shared/errors.js';
import { createCliContext, type CliContext } from '../context.js';
import { printJson, printLine } from '../output.js';
import type { TestAgentOptions } from './test-agent.js';

const EXIT_CANCELLED = ERROR_CODES.CANCELLED.exitCode;

/** The JSON `test-agent --json` prints (snake_case: the issue specifies these field names). */
export interface TestAgentJson {
  readonly agent: string;
  readonly success: boolean;
  readonly output: string;
  readonly error: { readonly kind: string; readonly message: string } | null;
  readonly files_modified: readonly string[];
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number; readonly cost_usd?: number };
  readonly duration_ms: number;
}

export async function runTestAgent(name: string, promptArgument: string, options: TestAgentOptions, command: Command): Promise<number> {
  const context = createCliContext(command);
  const { config } = context.config();
  const agent = config.agents[name];
  if (!agent) {
    const known = Object.keys(config.agents);
    throw new OrchestratorError('AGENT_NOT_FOUND', `unknown agent "${name}" (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
  }
  const prompt = await readPrompt(promptArgument);
  const cwd = workingDirectory(context, options.cwd ?? config.settings.workspace_dir);
  const redact = createRedactor([...secretValues(process.env), ...secretValues(agent.env)]);
  const quiet = Boolean(context.globals.quiet);
  if (!agent.enabled && !quiet) process.stderr.write(`note: agent "${name}" is disabled in the configuration; running it anyway\n`);

  const adapter = createAdapter({
    name,
    agent,
    outputLimitBytes: config.settings.output_limit_bytes,
    applyLocalEdits: config.settings.apply_local_edits,
    ...(context.globals.verbose ? { onStderr: (_agent: string, chunk: string) => process.stderr.write(redact(chunk)) } : {}),
  });
  const display = quiet ? undefined : createLiveDisplay(redact);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(EXIT_CANCELLED);
    process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl+C' : signal}: stopping ${name}\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: AgentResult;
  try {
    result = await runAgent(
      adapter,
      { prompt, role: 'raw', cwd },
      {
        signal: controller.signal,
        timeoutMs: agent.timeout * 1000,
        outputLimitBytes: config.settings.output_limit_bytes,
        detectChanges: detectChangedFiles,
        ...(display ? { onEvent: display.event } : {}),
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    display?.end();
  }

  const json = toJson(result, redact);
  if (options.json) printJson(json);
  else {
    if (json.output) printLine(json.output);
    if (!quiet) process.stderr.write(`${summary(json)}\n`);
  }
  if (result.success) return 0;
  return result.error?.kind === 'cancelled' ? EXIT_CANCELLED : 1;
}

export function toJson(result: AgentResult, redact: Redactor): TestAgentJson {
  return {
    agent: result.agent,
    success: result.success,
    output: redact(result.output),
    error: result.error ? { kind: result.error.kind, message: redact(result.error.message) } : null,
    files_modified: result.filesModified,
    usage: {
      input_tokens: result.usage.inputTokens,
      output_tokens: result.usage.outputTokens,
      ...(result.usage.costUsd !== undefined ? { cost_usd: result.usage.costUsd } : {}),
    },
    duration_ms: result.durationMs,
  };
}

function summary(json: TestAgentJson): string {
  const status = json.success ? 'ok' : `failed (${json.error?.kind ?? 'unknown'}): ${json.error?.message ?? ''}`;
  const cost = json.usage.cost_usd !== undefined ? `, $${json.usage.cost_usd.toFixed(4)}` : '';
  const files = json.files_modified.length > 0 ? `, files: ${json.files_modified.join(', ')}` : '';
  return `${json.agent}: ${status} — ${json.duration_ms} ms, ${json.usage.input_tokens} in / ${json.usage.output_tokens} out tokens${cost}${files}`;
}

/** The agent's events as they arrive, on stderr: its text, tool calls, file changes, errors. */
function createLiveDisplay(redact: Redactor) {
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
          write(redact(event.text));
          break;
        case 'text':
          if (!sawDelta) line(redact(event.text));
          break;
        case 'tool-call':
          line(`→ ${event.name}${describeInput(event.input, redact)}`);
          break;
        case 'tool-result':
          if (!event.ok) line(`✗ tool failed${event.output ? `: ${redact(oneLine(event.output))}` : ''}`);
          break;
        case 'file-change':
          line(`± ${event.kind} ${event.path}`);
          break;
        case 'error':
          line(`error (${event.error.kind}): ${redact(event.error.message)}`);
          break;
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

function describeInput(input: unknown, redact: Redactor): string {
  if (input === undefined) return '';
  const text = oneLine(typeof input === 'string' ? input : JSON.stringify(input));
  return ` ${redact(text.length > 120 ? `${text.slice(0, 120)}…` : text)}`;
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

function workingDirectory(context: CliContext, dir: string): string {
  const resolved = path.resolve(context.cwd, dir);
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) {
    throw new OrchestratorError('INVALID_INPUT', `working directory ${resolved} does not exist or is not a directory`);
  }
  return resolved;
}
