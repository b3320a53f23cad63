/**
 * Process-group signalling, plus a registry of live groups so that if the orchestrator itself
 * exits (normally or on an uncaught error) no agent group — nor what it started outside its
 * group — is left running behind it.
 */
import { killTagged, type PidMark } from './process-table.js';

/** Group leader pid → the run tag its descendants carry, and where in the pid sequence they start. */
const liveGroups = new Map<number, { readonly tag?: string; readonly mark?: PidMark }>();
let exitHookInstalled = false;

/** Signals a whole process group; a group that is already gone is not an error. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      try {
        process.kill(pid, signal);
      } catch {
        // The process is already gone: nothing left to signal.
      }
    }
  }
}

/** Signals that end Node without an 'exit' event when nobody handles them. */
const FATAL_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killAllGroups(): void {
  for (const [group, { tag, mark }] of liveGroups) {
    killGroup(group, 'SIGKILL');
    if (tag !== undefined) killTagged(tag, mark);
  }
}

/**
 * Our groups are detached, so a Ctrl+C or a `kill` aimed at us never reaches them. When we are
 * the only listener for such a signal (so its default action — dying — is what will happen),
 * kill the groups first and then let the signal take its default course. When the application
 * handles the signal itself (graceful cancel), it owns the cleanup and we stay out of the way.
 */
function onFatalSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAllGroups();
  for (const name of FATAL_SIGNALS) process.removeListener(name, onFatalSignal);
  process.kill(process.pid, signal);
}

export function trackGroup(pid: number, tag?: string, mark?: PidMark): void {
  liveGroups.set(pid, { ...(tag !== undefined ? { tag } : {}), ...(mark ? { mark } : {}) });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAllGroups);
    for (const name of FATAL_SIGNALS) process.on(name, onFatalSignal);
  }
}

export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

/**
 * The leaders of the groups this process started that are still running: processes we started
 * ourselves, each with its own run tag, so a sweep for another run's escaped descendants need not
 * read them (in a burst of fifty agents, those reads were most of every sweep).
 */
export function liveGroupLeaders(): ReadonlySet<number> {
  return new Set(liveGroups.keys());
}

/** Groups started by this process that have not finished yet (for tests and diagnostics). */
export function liveGroupCount(): number {
  return liveGroups.size;
}
