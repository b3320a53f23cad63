/**
 * Identifies a process across our own death: its pid plus the kernel's start time for that pid
 * (Linux /proc; elsewhere unknown). A task found interrupted kills the agent group it left
 * behind only when both still match, so a reused pid is never signalled.
 */
import { readFileSync } from 'node:fs';
import { killGroup } from '../process/kill-group.js';

/** The start time (clock ticks since boot) of a live pid, or undefined when it cannot be known. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // a zombie is already dead
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Kills the agent's process group if the same process is still there; returns whether it did. */
export function killOrphanedAgent(pid: number, startTime: string): boolean {
  if (processStartTime(pid) !== startTime) return false;
  killGroup(pid, 'SIGKILL');
  return true;
}
