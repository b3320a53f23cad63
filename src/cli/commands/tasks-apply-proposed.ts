/**
 * `ai-orchestrator tasks apply <id> --proposed`: writes the files local models proposed during a
 * task (fenced code blocks naming a path) and that were not written then, into the task's working
 * directory — with the checks `settings.apply_local_edits` applies (inside the directory after
 * resolving symlinks, never into .git). A later step's proposal of a path wins. A proposal whose
 * stored text had a secret redacted out of it is refused: writing it would put the marker in the file.
 */
import { applyProposedChanges, type ApplyOutcome, type ProposedChange } from '../../adapters/local-edits.js';
import type { StepRecord } from '../../events/events.js';
import { REDACTED } from '../../security/redact.js';
import { OrchestratorError } from '../../shared/errors.js';
import type { TaskWorkspaceStores } from './task-workspace-store.js';

export interface ProposedApplied {
  readonly taskId: string;
  readonly cwd: string;
  readonly outcomes: readonly ApplyOutcome[];
}

/** The proposals still unwritten at the task's end, one per path, the latest winning. */
export function unwrittenProposals(steps: readonly StepRecord[]): ProposedChange[] {
  const byPath = new Map<string, ProposedChange>();
  for (const step of steps) {
    for (const change of step.proposedChanges ?? []) {
      if (change.applied) byPath.delete(change.path);
      else byPath.set(change.path, { path: change.path, content: change.content });
    }
  }
  return [...byPath.values()];
}

export function applyTaskProposals(stores: TaskWorkspaceStores, id: string): ProposedApplied {
  const { task, ref } = stores.resolve(id);
  const short = task.id.slice(0, 8);
  if (ref.running) throw new OrchestratorError('INVALID_INPUT', `task ${short} is still running; apply its proposals once it has ended`);
  const proposals = unwrittenProposals(stores.tasks.steps(task.id));
  if (proposals.length === 0) throw new OrchestratorError('INVALID_INPUT', `task ${short} has no proposed changes left to write`);
  const redacted = proposals.filter((p) => p.content.includes(REDACTED));
  const writable = proposals.filter((p) => !p.content.includes(REDACTED));
  const outcomes: ApplyOutcome[] = [
    ...applyProposedChanges(writable, task.cwd),
    ...redacted.map((p): ApplyOutcome => ({ status: 'refused', path: p.path, reason: `a secret was redacted from the stored text (${REDACTED}); ask for it again` })),
  ];
  return { taskId: task.id, cwd: task.cwd, outcomes };
}
