/**
 * Change detection for consecutive steps. The snapshot that ends one step and the one that
 * starts the next describe the same moment, so they are taken together: each step then waits
 * for one working-tree snapshot (git status or a walk) instead of two.
 */
import type { RunAgentOptions } from '../adapters/run-agent.js';

export type DetectChanges = NonNullable<RunAgentOptions['detectChanges']>;

/** Wraps a detector for one task run (steps run one at a time). */
export function chainSnapshots(detect: DetectChanges): DetectChanges {
  let prepared: { readonly cwd: string; readonly watch: ReturnType<DetectChanges> } | undefined;
  return async (cwd) => {
    const watch = prepared?.cwd === cwd ? prepared.watch : detect(cwd);
    prepared = undefined;
    const finish = await watch;
    return () => {
      const next = detect(cwd);
      next.catch(() => undefined); // a failed early snapshot is retaken when the next step asks
      prepared = { cwd, watch: next.catch(() => detect(cwd)) };
      return finish();
    };
  };
}
