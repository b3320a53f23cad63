/**
 * The shared body of every CLI adapter: build the allowlisted environment, spawn the command
 * (prompt on stdin unless the adapter says otherwise), turn stdout lines into AgentEvents with the
 * adapter's own parser, and end with exactly one `finish` event that states success or the
 * classified failure.
 */
import { buildAgentEnv } from '../security/agent-env.js';
import { spawnProcess, type ProcessResult } from '../process/spawn-process.js';
import { spawnTurn } from '../process/spawn-turn.js';
import { callSignal } from './call-signal.js';
import { errorFromExit, errorFromProcess } from './failure.js';
import type { AgentError, AgentEvent, AgentRunOptions } from './spec.js';

/** Per-run parser: turns one stdout line into events and, at the end, decides the outcome. */
export interface CliOutputParser {
  line(line: string): readonly AgentEvent[];
  /**
   * Called once the process is gone (unless it was cancelled, timed out or never started).
   * Returns the closing events; they must include a `finish` event unless `line` already
   * produced one.
   */
  end(result: ProcessResult): readonly AgentEvent[];
  /** Also pass empty lines to `line` (plain-text output, where blank lines are content). */
  readonly keepBlankLines?: boolean;
  /**
   * Checked after every line: a failure here stops the process group at once and ends the run
   * with that error. For CLIs that would otherwise wait forever on a condition the orchestrator
   * handles better itself (Codex "waiting for network" retries without end).
   */
  stopWith?(): AgentError | undefined;
}

export interface CliInvocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Adapter kind: which provider variables pass through the env allowlist. */
  readonly kind: string;
  readonly adapterEnv?: Readonly<Record<string, string>>;
  readonly configEnv?: Readonly<Record<string, string>>;
  /** Prompt text for stdin; undefined gives the child an empty stdin. */
  readonly stdin?: string;
  readonly parser: CliOutputParser;
  readonly onStderr?: (chunk: string) => void;
}

export async function* runCliAgent(invocation: CliInvocation, options: AgentRunOptions = {}): AsyncGenerator<AgentEvent> {
  const env = buildAgentEnv({
    kind: invocation.kind,
    ...(invocation.adapterEnv ? { adapterDefaults: invocation.adapterEnv } : {}),
    ...(invocation.configEnv ? { extra: invocation.configEnv } : {}),
  });
  // Aborted by the caller's signal or by us (a parser's stop, a consumer that leaves early).
  const stopper = callSignal(options.signal);
  const signal = stopper.signal;
  let stopError: AgentError | undefined;
  const callStderr = options.onStderr;
  const ownStderr = invocation.onStderr;
  const onStderr =
    callStderr && ownStderr
      ? (chunk: string): void => {
          ownStderr(chunk);
          callStderr(chunk);
        }
      : (callStderr ?? ownStderr);
  /** A finish already seen in the output (the CLI's own result line) ends the run's outcome. */
  let finished = false;
  await spawnTurn();
  const running = spawnProcess({
    command: invocation.command,
    args: invocation.args,
    cwd: invocation.cwd,
    env,
    ...(invocation.stdin !== undefined ? { stdin: invocation.stdin } : {}),
    signal,
    ...(onStderr ? { onStderr } : {}),
  });
  let ended = false;
  void running.result.then(() => {
    ended = true;
  });
  try {
    yield { type: 'start', ...(running.pid !== undefined ? { pid: running.pid } : {}), detail: invocation.command };
    for await (const batch of running.lineBatches) {
      // Lines that arrived together: their consecutive text deltas go on as one event (one to
      // store, show and forward instead of one per line).
      const events: AgentEvent[] = [];
      for (const line of batch) {
        if (line.trim() === '' && !invocation.parser.keepBlankLines) continue;
        for (const event of invocation.parser.line(line)) {
          if (event.type === 'finish') finished = true;
          const previous = events.at(-1);
          if (event.type === 'text-delta' && previous?.type === 'text-delta') events[events.length - 1] = { type: 'text-delta', text: previous.text + event.text };
          else events.push(event);
        }
        stopError ??= invocation.parser.stopWith?.();
        if (stopError && !signal.aborted) stopper.abort();
      }
      yield* events;
    }
    const result = await running.result;
    if (stopError && !options.signal?.aborted) {
      yield { type: 'error', error: stopError };
      yield { type: 'finish', success: false, error: stopError };
      return;
    }
    const processError = errorFromProcess(result, invocation.command);
    if (processError) {
      yield { type: 'error', error: processError };
      yield { type: 'finish', success: false, error: processError };
      return;
    }
    const closing = invocation.parser.end(result);
    yield* closing;
    if (!finished && !closing.some((event) => event.type === 'finish')) {
      const error: AgentError = errorFromExit(result, invocation.command);
      yield result.exitCode === 0 ? { type: 'finish', success: true } : { type: 'finish', success: false, error };
    }
  } finally {
    // A consumer that stops reading (break, return, throw) must not leave the agent running:
    // stop the group and wait until it is gone. After a normal end there is nothing to stop (and
    // an abort would still build its AbortError and notify every signal combined with it).
    if (!ended) stopper.abort();
    await running.result;
    stopper.dispose();
  }
}
