/**
 * Step roles. The role decides the prompt template and the permissions an agent gets:
 * edit roles may change files in the working directory, read-only roles may not.
 */
export const ROLES = [
  'implement',
  'review',
  'refine',
  'test',
  'document',
  'suggestions',
  'plan',
  'raw',
] as const;
export type Role = (typeof ROLES)[number];

/** Names users (and the original's config) write for roles. */
export const ROLE_ALIASES: Readonly<Record<string, Role>> = {
  implementer: 'implement',
  implementation: 'implement',
  reviewer: 'review',
  refiner: 'refine',
  refinement: 'refine',
  writer: 'document',
  documentation: 'document',
  tester: 'test',
  testing: 'test',
  suggest: 'suggestions',
  planner: 'plan',
};

export function normalizeRole(name: string): Role | undefined {
  const key = name.trim().toLowerCase();
  if ((ROLES as readonly string[]).includes(key)) return key as Role;
  return ROLE_ALIASES[key];
}

const EDIT_ROLES: ReadonlySet<Role> = new Set(['implement', 'refine', 'test', 'document', 'raw']);

/** Whether a step in this role may write files in the working directory. */
export function roleMayEdit(role: Role): boolean {
  return EDIT_ROLES.has(role);
}
