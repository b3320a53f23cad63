/**
 * Identifies a process across our own death: its pid plus the kernel's start time for that pid
 * (Linux /proc; elsewhere unknown). A task found interrupted kills the agent group it left
 * behind only when both still match, so a reused pid is never signalled — and then every
 * descendant that left the group, found by the run tag naming the dead orchestrator.
 */
import { killGroup } from '../process/kill-group.js';
import { killOrphansOf, processStartTime } from '../process/process-table.js';

export { processStartTime };

/** Kills the agent's process group if the same process is still there; returns whether it did. */
export function killOrphanedAgent(pid: number, startTime: string): boolean {
  if (processStartTime(pid) !== startTime) return false;
  killGroup(pid, 'SIGKILL');
  return true;
}

/**
 * Kills what the dead orchestrator `ownerPid` started and left running outside any group we
 * recorded (setsid children, daemons); returns how many. A live owner's processes are left alone.
 */
export function killEscapedDescendants(ownerPid: number): number {
  return killOrphansOf(ownerPid);
}
