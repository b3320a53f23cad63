/**
 * Who plans a dynamic workflow, in a module of its own so `workflows` can say so without loading
 * the planner (which brings zod and the adapters).
 */

/** The planner asks the first available of these unless settings.planner.agent names one. */
export const PLANNER_PREFERENCE = ['claude', 'gemini', 'codex', 'local-instruct'] as const;
