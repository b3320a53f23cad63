/**
 * The only place that starts child processes. Every agent runs from an argument array (no
 * shell), gets its prompt on stdin, lives in its own process group, and that whole group is
 * killed when the step ends — on timeout or abort with SIGTERM then SIGKILL, and after a normal
 * exit too, so no grandchild outlives its step.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { killGroup, trackGroup, untrackGroup } from './kill-group.js';

export interface SpawnProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The complete environment of the child (build it with security/agent-env). */
  readonly env: Readonly<Record<string, string>>;
  /** Text written to stdin, then stdin is closed; undefined gives the child an empty stdin. */
  readonly stdin?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  readonly killGraceMs?: number;
  /** How much of stderr is kept for error messages. */
  readonly stderrTailBytes?: number;
  readonly onStderr?: (chunk: string) => void;
}

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  readonly durationMs: number;
  readonly stderrTail: string;
  /** Set when the process could not be started (ENOENT = not installed, EACCES, ...). */
  readonly spawnError?: { readonly code: string; readonly message: string };
}

export interface RunningProcess {
  readonly pid: number | undefined;
  /** stdout, line by line. Leaving the loop early kills the process group. */
  readonly lines: AsyncIterable<string>;
  /** Settles once the process has exited and its group is gone. */
  readonly result: Promise<ProcessResult>;
}

const DEFAULT_GRACE_MS = 2000;
const DEFAULT_TAIL_BYTES = 16 * 1024;

export function spawnProcess(options: SpawnProcessOptions): RunningProcess {
  const started = performance.now();
  const graceMs = options.killGraceMs ?? DEFAULT_GRACE_MS;
  const tailBytes = options.stderrTailBytes ?? DEFAULT_TAIL_BYTES;
  let timedOut = false;
  let isCanceled = false;
  let stderrTail = '';
  let spawnError: ProcessResult['spawnError'];
  let escalation: NodeJS.Timeout | undefined;

  if (!isDirectory(options.cwd)) {
    // spawn() would fail with ENOENT, indistinguishable from a missing binary.
    return notStarted(
      Object.assign(new Error(`working directory ${options.cwd} does not exist`), { code: 'ENOTDIR' }),
      started,
    );
  }
  let child;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
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
  const stdout: NodeJS.ReadableStream = child.stdout;
  const stderr: NodeJS.ReadableStream = child.stderr;
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);

  const terminate = (): void => {
    if (pid === undefined || escalation) return;
    killGroup(pid, 'SIGTERM');
    escalation = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    escalation.unref();
  };

  const onAbort = (): void => {
    isCanceled = true;
    terminate();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          terminate();
        }, options.timeoutMs)
      : undefined;

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

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = { code: error.code ?? 'UNKNOWN', message: error.message };
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });

  const result = (async (): Promise<ProcessResult> => {
    const { code, signal } = await exited;
    // The leader is gone; anything it left behind in its group goes too.
    if (pid !== undefined) killGroup(pid, 'SIGKILL');
    await closed;
    if (timer) clearTimeout(timer);
    if (escalation) clearTimeout(escalation);
    options.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) untrackGroup(pid);
    return {
      exitCode: code,
      signal,
      timedOut,
      isCanceled,
      durationMs: Math.round(performance.now() - started),
      stderrTail,
      ...(spawnError ? { spawnError } : {}),
    };
  })();

  async function* readLines(): AsyncGenerator<string> {
    const reader = createInterface({ input: stdout, crlfDelay: Infinity });
    let finished = false;
    try {
      for await (const line of reader) yield line;
      finished = true;
    } finally {
      reader.close();
      if (!finished) terminate();
    }
  }

  return { pid, lines: readLines(), result };
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
    spawnError: { code, message },
  };
  async function* noLines(): AsyncGenerator<string> {
    // Nothing was started, so there is no output.
  }
  return { pid: undefined, lines: noLines(), result: Promise.resolve(result) };
}

/** Runs to the end and collects stdout; for short helper commands (git status, --version). */
export async function runProcess(
  options: SpawnProcessOptions,
): Promise<ProcessResult & { readonly stdout: string }> {
  const running = spawnProcess(options);
  const lines: string[] = [];
  for await (const line of running.lines) lines.push(line);
  const result = await running.result;
  return { ...result, stdout: lines.join('\n') };
}
