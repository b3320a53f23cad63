/**
 * The closed sets a task's events and its stored row name: its states and why it stopped. Kept
 * apart from the event schemas (events.ts) so readers of stored tasks (`tasks list`, `tasks
 * show`) get them without loading zod, which costs ≈ 40 ms at start-up.
 */

/**
 * A task's states: queued (waiting for its working tree) → pending (planning) → in_progress →
 * completed | failed | cancelled; `interrupted` = its process died. A stopped task can be resumed.
 */
export const TASK_STATUSES = ['queued', 'pending', 'in_progress', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Why the engine stopped iterating.
 * - converged: every step succeeded and no review had more suggestions than the threshold.
 * - max_iterations: the iterations ran out before the review converged.
 * - plateau: `stop_on_plateau` and the suggestion count stopped falling.
 * - failed: a step failed (after its fallback, if any).
 * - cancelled: the user cancelled (Ctrl+C, cancel request).
 * - budget: the budget guard refused the next step.
 */
export const STOP_REASONS = ['converged', 'max_iterations', 'plateau', 'failed', 'cancelled', 'budget'] as const;
export type StopReason = (typeof STOP_REASONS)[number];
