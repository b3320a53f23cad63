/**
 * The plan a task ran, stored with the task: the steps (agent, role, description, fallback),
 * where they came from (a configured workflow, the dynamic planner, or its fallback plan) and
 * the planner's notes. One row per task in `task_plans`, removed with its task.
 */
import { z } from 'zod';
import { migrate, type Db, type Migration } from '../storage/database.js';
import type { Plan } from './plan.js';

export const PLAN_MIGRATIONS: readonly Migration[] = [
  {
    id: 'plans/001-task-plans',
    up: `
      CREATE TABLE task_plans (
        task_id TEXT PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
        workflow TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('workflow', 'planner', 'fallback')),
        planner TEXT,
        steps TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '[]',
        excluded TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL
      );
    `,
  },
];

const storedStepSchema = z.object({
  agent: z.string(),
  role: z.string(),
  description: z.string(),
  fallback: z.string().optional(),
});
const rowSchema = z.object({
  task_id: z.string(),
  workflow: z.string(),
  source: z.enum(['workflow', 'planner', 'fallback']),
  planner: z.string().nullable(),
  steps: z.string(),
  notes: z.string(),
  excluded: z.string(),
});

export interface StoredPlan {
  readonly taskId: string;
  readonly workflow: string;
  readonly source: 'workflow' | 'planner' | 'fallback';
  readonly planner?: string;
  readonly steps: readonly z.infer<typeof storedStepSchema>[];
  readonly notes: readonly string[];
  readonly excluded: readonly { readonly agent: string; readonly reason: string }[];
}

export interface PlanStore {
  save(taskId: string, plan: Plan): void;
  get(taskId: string): StoredPlan | undefined;
}

/** Needs the tasks table (the task store's migrations) to exist first. */
export function createPlanStore(db: Db): PlanStore {
  migrate(db, PLAN_MIGRATIONS);
  const insert = db.prepare(
    `INSERT OR REPLACE INTO task_plans (task_id, workflow, source, planner, steps, notes, excluded, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const select = db.prepare<[string], unknown>('SELECT * FROM task_plans WHERE task_id = ?');
  return {
    save(taskId, plan) {
      const steps = plan.steps.map((s) => ({
        agent: s.agent,
        role: s.role,
        description: s.description,
        ...(s.fallback ? { fallback: s.fallback } : {}),
      }));
      insert.run(
        taskId,
        plan.workflow,
        plan.origin?.source ?? 'workflow',
        plan.origin?.planner ?? null,
        JSON.stringify(steps),
        JSON.stringify(plan.origin?.notes ?? []),
        JSON.stringify(plan.origin?.excluded ?? []),
        new Date().toISOString(),
      );
    },
    get(taskId) {
      const row = rowSchema.safeParse(select.get(taskId));
      if (!row.success) return undefined;
      const r = row.data;
      const steps = z.array(storedStepSchema).safeParse(parseJson(r.steps));
      const notes = z.array(z.string()).safeParse(parseJson(r.notes));
      const excluded = z.array(z.object({ agent: z.string(), reason: z.string() })).safeParse(parseJson(r.excluded));
      return {
        taskId: r.task_id,
        workflow: r.workflow,
        source: r.source,
        ...(r.planner ? { planner: r.planner } : {}),
        steps: steps.success ? steps.data : [],
        notes: notes.success ? notes.data : [],
        excluded: excluded.success ? excluded.data : [],
      };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The plan as shown before it runs (stderr): where it came from, its steps, what was left out. */
export function describePlan(plan: Plan): string[] {
  const origin = plan.origin;
  if (!origin) return [];
  return planLines({ ...origin, steps: plan.steps });
}

/** The same lines for a plan read back from the store (`tasks show`). */
export function describeStoredPlan(plan: StoredPlan): string[] {
  return planLines(plan);
}

function planLines(plan: {
  readonly source: StoredPlan['source'];
  readonly planner?: string;
  readonly steps: readonly { readonly agent: string; readonly role: string; readonly description?: string }[];
  readonly excluded: StoredPlan['excluded'];
  readonly notes: readonly string[];
}): string[] {
  return [
    plan.source === 'planner'
      ? `plan by ${plan.planner ?? 'the planner'}:`
      : `fallback plan (implement → review)${plan.planner ? `, planner ${plan.planner}` : ''}:`,
    ...plan.steps.map((s, i) => `  ${i + 1}. ${s.agent} ${s.role}${s.description ? ` — ${s.description}` : ''}`),
    ...plan.excluded.map((x) => `  excluded ${x.agent}: ${x.reason}`),
    ...plan.notes.map((note) => `  note: ${note}`),
  ];
}
