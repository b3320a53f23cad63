/**
 * Process-group signalling, plus a registry of live groups so that if the orchestrator itself
 * exits (normally or on an uncaught error) no agent group is left running behind it.
 */
const liveGroups = new Set<number>();
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

export function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) killGroup(group, 'SIGKILL');
    });
  }
}

export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

/** Groups started by this process that have not finished yet (for tests and diagnostics). */
export function liveGroupCount(): number {
  return liveGroups.size;
}
