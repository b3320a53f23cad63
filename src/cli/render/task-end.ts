/**
 * How a task's end reads: one final line (state, length, why, tokens and cost — naming the agents
 * whose cost is unknown), and before it the files local models proposed but did not write, with
 * the command that writes them.
 */
import type { EventOf, StepRecord } from '../../events/events.js';
import { formatDuration, formatTokens, oneLine, plural } from './format.js';
import type { Style } from './style.js';

type TaskFinished = EventOf<'task.finished'>;

/** "✓ completed after 2 iterations in 1m03s (converged: …) · 12.3k tokens, $0.0421; cost unknown for local". */
export function finalLine(event: TaskFinished, unpriced: ReadonlySet<string>, style: Style): string {
  const color = event.status === 'completed' ? 'green' : event.status === 'cancelled' ? 'yellow' : 'red';
  const mark = event.status === 'completed' ? '✓' : event.status === 'cancelled' ? '■' : '✗';
  const length = event.iterations > 0 ? ` after ${plural(event.iterations, 'iteration')} in ${formatDuration(event.durationMs)}` : ` in ${formatDuration(event.durationMs)}`;
  const unknown = unpriced.size > 0 ? `; cost unknown for ${[...unpriced].sort().join(', ')}` : '';
  const spent = event.usage.inputTokens + event.usage.outputTokens > 0 || unknown ? style.paint('gray', ` · ${formatTokens(event.usage)}${unknown}`) : '';
  return `${style.paint([color, 'bold'], `${mark} ${event.status}`)}${length} (${why(event)})${spent}`;
}

/** The stop reason and its detail, without saying the status twice ("cancelled: cancelled by the user"). */
function why(event: TaskFinished): string {
  const reason = oneLine(event.reason, 300);
  if (event.stopReason !== event.status) return `${event.stopReason}: ${reason}`;
  return reason.startsWith(`${event.status} `) ? reason.slice(event.status.length + 1) : reason;
}

interface Proposal {
  readonly agent: string;
  /** Why it was not written when writing was tried (a path outside the working directory, …). */
  readonly note?: string;
}

/** Files local models proposed and nobody wrote, by path: a later step's proposal of a path wins. */
export function createProposals(): { add(step: StepRecord): void; lines(taskId: string, style: Style): string[] } {
  const byPath = new Map<string, Proposal>();
  return {
    add(step) {
      for (const change of step.proposedChanges ?? []) {
        if (change.applied) byPath.delete(change.path);
        else byPath.set(change.path, { agent: step.agent, ...(change.note ? { note: change.note } : {}) });
      }
    },
    lines(taskId, style) {
      if (byPath.size === 0) return [];
      const writable = new Map<string, string[]>();
      const lines: string[] = [];
      for (const [file, proposal] of byPath) {
        if (proposal.note) lines.push(`  ${proposal.agent} proposed ${file}, ${proposal.note}`);
        else writable.set(proposal.agent, [...(writable.get(proposal.agent) ?? []), file]);
      }
      const listed = [...writable].map(([agent, files]) => `  ${agent} proposed ${plural(files.length, 'file')}, not written: ${files.join(', ')}`);
      if (writable.size > 0) {
        listed.push(`  write them: ai-orchestrator tasks apply ${taskId.slice(0, 8)} --proposed (settings.apply_local_edits: true writes them as they come)`);
      }
      return [...listed, ...lines].map((line) => style.paint('yellow', line));
    },
  };
}
