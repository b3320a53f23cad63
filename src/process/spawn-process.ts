/**
 * The only place that starts child processes. Every agent runs from an argument array (no
 * shell), gets its prompt on stdin, lives in its own process group, and that whole group is
 * killed when the step ends — on timeout or abort with SIGTERM then SIGKILL, and after a normal
 * exit too, so no grandchild outlives its step. Descendants that left the group (setsid) are
 * found by the run tag in their environment (./process-table.ts) and killed with it; and a step
 * never waits forever on a stdout pipe that something we could not kill still holds open.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { abortKind, withTimeout } from '../shared/abort.js';
import { killGroup, liveGroupLeaders, trackGroup, untrackGroup } from './kill-group.js';
import { DEFAULT_MAX_LINE_BYTES, readLineBatches, readLines } from './line-reader.js';
import { spawnTurn } from './spawn-turn.js';
import { descendantsOf, findTagged, killTagged, markPid, newRunTag, RUN_TAG_VARIABLE, signalProcesses } from './process-table.js';

export interface SpawnProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The complete environment of the child (build it with security/agent-env). */
  readonly env: Readonly<Record<string, string>>;
  /** Text written to stdin, then stdin is closed; undefined gives the child an empty stdin. */
  readonly stdin?: string;
  /**
   * Aborting it stops the process group. An abort whose reason is a TimeoutError (as from
   * `AbortSignal.timeout`) is reported as `timedOut`, any other as `isCanceled`.
   */
  readonly signal?: AbortSignal;
  /** Shorthand for a `AbortSignal.timeout(timeoutMs)` combined with `signal`. */
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  readonly killGraceMs?: number;
  /** How much of stderr is kept for error messages. */
  readonly stderrTailBytes?: number;
  readonly onStderr?: (chunk: string) => void;
  /** Longer stdout lines are cut (with a `[… N bytes cut]` marker) so memory stays bounded. */
  readonly maxLineBytes?: number;
}

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  readonly durationMs: number;
  readonly stderrTail: string;
  /** Descendants outside the process group (found by their run tag) that were killed. */
  readonly escapedKilled: number;
  /** Set when the process could not be started (ENOENT = not installed, EACCES, ...). */
  readonly spawnError?: { readonly code: string; readonly message: string };
}

export interface RunningProcess {
  readonly pid: number | undefined;
  /** stdout, line by line. Leaving the loop early kills the process group. */
  readonly lines: AsyncIterable<string>;
  /** The same lines, grouped as they arrived (readLineBatches); read either this or `lines`. */
  readonly lineBatches: AsyncIterable<readonly string[]>;
  /** Settles once the process has exited and its group is gone. */
  readonly result: Promise<ProcessResult>;
}

const DEFAULT_GRACE_MS = 2000;
const DEFAULT_TAIL_BYTES = 16 * 1024;
/**
 * After the leader exited and everything we found was killed, stdout may still be held open by
 * a process we could not find or kill. We stop waiting for it once it has been silent this long
 * (a stream still delivering buffered output is never cut off before this much silence)…
 */
const PIPE_IDLE_MS = 1000;
/** …and in any case this long after the exit, so a step always ends. */
const PIPE_MAX_WAIT_MS = 5000;

export function spawnProcess(options: SpawnProcessOptions): RunningProcess {
  const started = performance.now();
  const graceMs = options.killGraceMs ?? DEFAULT_GRACE_MS;
  const tailBytes = options.stderrTailBytes ?? DEFAULT_TAIL_BYTES;
  let timedOut = false;
  let isCanceled = false;
  let stderrTail = '';
  let spawnError: ProcessResult['spawnError'];
  let escalation: NodeJS.Timeout | undefined;
  let escapedKilled = 0;

  if (!isDirectory(options.cwd)) {
    // spawn() would fail with ENOENT, indistinguishable from a missing binary.
    return notStarted(
      Object.assign(new Error(`working directory ${options.cwd} does not exist`), { code: 'ENOTDIR' }),
      started,
    );
  }
  const signal = withTimeout(options.signal, options.timeoutMs);
  const tag = newRunTag();
  let child;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env, [RUN_TAG_VARIABLE]: tag },
      shell: false,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    // Node throws (instead of emitting 'error') for some spawn failures, notably E2BIG when
    // the arguments exceed the OS limit: report it like any other start failure.
    return notStarted(error, started);
  }
  if (!child.stdout || !child.stderr) throw new Error('spawnProcess: stdout and stderr must be pipes');
  const stdout = child.stdout;
  const stderr = child.stderr;
  const pid = child.pid;
  let exitSeen = false;
  // Everything the child starts gets a pid after this mark: sweeps only read those processes.
  const mark = pid === undefined ? undefined : markPid(pid);
  if (pid !== undefined) trackGroup(pid, tag, mark);

  /** Whatever the agent started outside its group: by run tag, and by parent links while it lives. */
  const escapees = (): number[] => {
    if (pid === undefined) return [];
    const found = new Set(findTagged((candidate) => candidate === tag, mark));
    if (!exitSeen) for (const descendant of descendantsOf(pid)) found.add(descendant);
    return [...found];
  };

  const terminate = (): void => {
    if (pid === undefined || escalation || exitSeen) return;
    killGroup(pid, 'SIGTERM');
    signalProcesses(escapees(), 'SIGTERM');
    escalation = setTimeout(() => {
      killGroup(pid, 'SIGKILL');
      escapedKilled += signalProcesses(escapees(), 'SIGKILL');
    }, graceMs);
    escalation.unref();
  };

  const onAbort = (): void => {
    if (signal && abortKind(signal) === 'timeout') timedOut = true;
    else isCanceled = true;
    terminate();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-tailBytes);
    options.onStderr?.(chunk);
  });

  if (options.stdin !== undefined && child.stdin) {
    // A child that exits without reading its stdin closes the pipe: that is not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin);
  }

  /** Since when the line reader has been waiting for stdout (undefined while the consumer holds a line). */
  let waitingSince: number | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    // Not destroyed when the consumer leaves early: terminate() ends the process instead.
    const iterator = stdout.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]();
    try {
      for (;;) {
        waitingSince = performance.now();
        const next = await iterator.next();
        waitingSince = undefined;
        if (next.done) return;
        yield next.value as Buffer;
      }
    } finally {
      waitingSince = undefined;
      await iterator.return?.();
    }
  }

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = { code: error.code ?? 'UNKNOWN', message: error.message };
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal }));
  });

  let isClosed = false;
  const closed = new Promise<void>((resolve) => {
    const done = (): void => {
      isClosed = true;
      resolve();
    };
    child.once('close', done);
    child.once('error', done);
  });

  /**
   * Waits for stdout and stderr to close. A pipe still held open after the leader and every
   * descendant we found are dead belongs to something we cannot reach: once the reader has waited
   * on it PIPE_IDLE_MS in silence (or PIPE_MAX_WAIT_MS have passed since the exit), stop reading
   * and let the step end. Never while the consumer is still busy with a line it was given.
   */
  const pipesClosed = async (): Promise<void> => {
    const exitAt = performance.now();
    while (!isClosed) {
      const now = performance.now();
      if (waitingSince !== undefined && (now - waitingSince >= PIPE_IDLE_MS || now - exitAt >= PIPE_MAX_WAIT_MS)) {
        stdout.destroy();
        stderr.destroy();
        await closed;
        return;
      }
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 100).unref())]);
    }
  };

  const result = (async (): Promise<ProcessResult> => {
    const { code, signal: exitSignal } = await exited;
    exitSeen = true;
    // The leader is gone; anything it left behind, in its group or outside it, goes too.
    if (pid !== undefined) {
      killGroup(pid, 'SIGKILL');
      escapedKilled += killTagged(tag, mark, liveGroupLeaders());
    }
    await pipesClosed();
    if (escalation) clearTimeout(escalation);
    signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) untrackGroup(pid);
    return {
      exitCode: code,
      signal: exitSignal,
      timedOut,
      isCanceled,
      durationMs: Math.round(performance.now() - started),
      stderrTail,
      escapedKilled,
      ...(spawnError ? { spawnError } : {}),
    };
  })();

  /** stdout read by `read` (lines, or lines in the groups they arrived in). */
  async function* stdoutAs<T>(read: (input: AsyncIterable<Buffer>, maxLineBytes: number) => AsyncGenerator<T>): AsyncGenerator<T> {
    let finished = false;
    try {
      yield* read(chunks(), options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
      finished = true;
    } catch (error) {
      // Destroying a pipe nobody would close (see pipesClosed) ends the stream with an error.
      if (!stdout.destroyed) throw error;
      finished = true;
    } finally {
      if (!finished) terminate();
    }
  }

  return { pid, lines: stdoutAs(readLines), lineBatches: stdoutAs(readLineBatches), result };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function notStarted(error: unknown, started: number): RunningProcess {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'UNKNOWN';
  const message = error instanceof Error ? error.message : String(error);
  const result: ProcessResult = {
    exitCode: null,
    signal: null,
    timedOut: false,
    isCanceled: false,
    durationMs: Math.round(performance.now() - started),
    stderrTail: '',
    escapedKilled: 0,
    spawnError: { code, message },
  };
  async function* noLines(): AsyncGenerator<string> {
    // Nothing was started, so there is no output.
  }
  async function* noBatches(): AsyncGenerator<string[]> {
    // Nothing was started, so there is no output.
  }
  return { pid: undefined, lines: noLines(), lineBatches: noBatches(), result: Promise.resolve(result) };
}

/** Runs to the end and collects stdout; for short helper commands (git status, --version). */
export async function runProcess(
  options: SpawnProcessOptions,
): Promise<ProcessResult & { readonly stdout: string }> {
  await spawnTurn();
  const running = spawnProcess(options);
  const lines: string[] = [];
  for await (const line of running.lines) lines.push(line);
  const result = await running.result;
  return { ...result, stdout: lines.join('\n') };
}
