/**
 * Git plumbing for the workspace layer (checkpoints, worktrees, diffs). Unlike `runProcess`,
 * stdout is kept as bytes: file contents and NUL-separated path lists pass through untouched.
 * Git runs from an argument array with an environment built here (the user's GIT_DIR,
 * GIT_INDEX_FILE or GIT_WORK_TREE never leak in by accident), in its own process group that is
 * killed on timeout or abort like any agent's.
 */
import { spawn } from 'node:child_process';
import { killGroup, trackGroup, untrackGroup } from './kill-group.js';
import { spawnTurn } from './spawn-turn.js';

export interface RunGitOptions {
  readonly cwd: string;
  /** Added to the base environment (GIT_INDEX_FILE for a temporary index, author identity...). */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string | Buffer;
  readonly signal?: AbortSignal;
  /** Default 60 s: a checkpoint of a huge tree is slow, a hung git is a bug to surface. */
  readonly timeoutMs?: number;
}

export interface GitResult {
  readonly exitCode: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Set when git could not be started (ENOENT: not installed). */
  readonly spawnError?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The variables git needs from ours: where it is, whose config it reads. Nothing else passes. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    GIT_OPTIONAL_LOCKS: '0',
  };
  for (const name of ['HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export async function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  await spawnTurn();
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('git', [...args], {
        cwd: options.cwd,
        env: { ...baseEnv(), ...options.env },
        shell: false,
        detached: true,
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ exitCode: null, stdout: Buffer.alloc(0), stderr: '', spawnError: String(error) });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    const out: Buffer[] = [];
    let stderr = '';
    let spawnError: string | undefined;
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      // Git's complaints are short; a bound keeps a pathological one from filling memory.
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
    }
    const stop = (): void => {
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
    };
    const timer = setTimeout(stop, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    timer.unref();
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = `${error.code ?? 'error'}: ${error.message}`;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      if (pid !== undefined) {
        killGroup(pid, 'SIGKILL');
        untrackGroup(pid);
      }
      resolve({ exitCode: code, stdout: Buffer.concat(out), stderr, ...(spawnError ? { spawnError } : {}) });
    });
  });
}
