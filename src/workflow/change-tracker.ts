/**
 * Change detection for consecutive steps. The snapshot that ends one step and the one that
 * starts the next describe the same moment (no agent runs between them), so one snapshot is both:
 * each step boundary takes one working-tree snapshot (a walk, or a `git status` process) instead
 * of two.
 */
import type { RunAgentOptions } from '../adapters/run-agent.js';
import type { TreeSnapshot, TreeSnapshots } from '../adapters/files-changed.js';

export type DetectChanges = NonNullable<RunAgentOptions['detectChanges']>;

/** Detection for one task run (steps run one at a time). */
export function chainSnapshots(snapshots: TreeSnapshots): DetectChanges {
  let ending: { readonly cwd: string; readonly snapshot: Promise<TreeSnapshot> } | undefined;
  return async (cwd) => {
    // A failed snapshot at the last step's end is taken again now.
    const start = ending?.cwd === cwd ? ending.snapshot.catch(() => snapshots.take(cwd)) : snapshots.take(cwd);
    ending = undefined;
    const before = await start;
    return async () => {
      const taking = snapshots.take(cwd);
      taking.catch(() => undefined); // a failure shows where it is awaited, here and at the next start
      ending = { cwd, snapshot: taking };
      return snapshots.changed(before, await taking);
    };
  };
}
