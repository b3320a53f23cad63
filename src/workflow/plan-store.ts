/**
 * The plan a task ran, stored with the task: the steps (agent, role, description, fallback),
 * where they came from (a configured workflow, the dynamic planner, or its fallback plan) and
 * the planner's notes. One row per task in `task_plans`, removed with its task.
 */
import { isObject, isString, listOf } from '../shared/value-checks.js';
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

export interface StoredStep {
  readonly agent: string;
  readonly role: string;
  readonly description: string;
  readonly fallback?: string;
}

export interface StoredPlan {
  readonly taskId: string;
  readonly workflow: string;
  readonly source: 'workflow' | 'planner' | 'fallback';
  readonly planner?: string;
  readonly steps: readonly StoredStep[];
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
      const row = select.get(taskId);
      if (!isObject(row)) return undefined;
      const { task_id: id, workflow, source, planner, steps, notes, excluded } = row;
      if (!isString(id) || !isString(workflow) || !isSource(source) || !(planner === null || isString(planner))) return undefined;
      if (!isString(steps) || !isString(notes) || !isString(excluded)) return undefined;
      return {
        taskId: id,
        workflow,
        source,
        ...(planner ? { planner } : {}),
        steps: listOf(parseJson(steps), readStep) ?? [],
        notes: listOf(parseJson(notes), (note) => (isString(note) ? note : undefined)) ?? [],
        excluded: listOf(parseJson(excluded), readExclusion) ?? [],
      };
    },
  };
}

/*
 * Rows are checked by hand rather than with zod: `tasks show` reads them at start-up, where loading
 * zod costs ≈ 40 ms. A row that does not fit reads as no plan; a JSON column that does not fit
 * reads as empty; unknown keys are dropped.
 */
function isSource(value: unknown): value is StoredPlan['source'] {
  return value === 'workflow' || value === 'planner' || value === 'fallback';
}

function readStep(value: unknown): StoredStep | undefined {
  if (!isObject(value)) return undefined;
  const { agent, role, description, fallback } = value;
  if (!isString(agent) || !isString(role) || !isString(description) || !(fallback === undefined || isString(fallback))) return undefined;
  return { agent, role, description, ...(fallback !== undefined ? { fallback } : {}) };
}

function readExclusion(value: unknown): { agent: string; reason: string } | undefined {
  if (!isObject(value) || !isString(value['agent']) || !isString(value['reason'])) return undefined;
  return { agent: value['agent'], reason: value['reason'] };
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
