/**
 * The field names the configuration schema knows at a place in the file, read from the schema
 * itself (so a new field is suggested without a list to keep in step), and the nearest of them
 * to a misspelt name.
 */
import type { z } from 'zod';

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly valueType?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
}

const defOf = (schema: z.core.$ZodType): Def => schema._zod.def;

/** The object schemas reachable at `fieldPath` (a union can offer several). */
function objectsAt(schema: z.core.$ZodType, fieldPath: readonly PropertyKey[]): Def[] {
  const def = defOf(schema);
  const unwrapped = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  if (unwrapped) return objectsAt(unwrapped, fieldPath);
  if (def.type === 'union') return (def.options ?? []).flatMap((option) => objectsAt(option, fieldPath));
  const [head, ...rest] = fieldPath;
  if (head === undefined) return def.type === 'object' ? [def] : [];
  if (def.type === 'object') {
    const field = def.shape?.[String(head)];
    return field ? objectsAt(field, rest) : [];
  }
  if (def.type === 'record' && def.valueType) return objectsAt(def.valueType, rest);
  if (def.type === 'array' && def.element && typeof head === 'number') return objectsAt(def.element, rest);
  return [];
}

export function knownFields(schema: z.core.$ZodType, fieldPath: readonly PropertyKey[]): string[] {
  return [...new Set(objectsAt(schema, fieldPath).flatMap((def) => Object.keys(def.shape ?? {})))];
}

/** The known name closest to `name`, if it is close enough to be a slip (a third of its letters at most). */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Edits between two names, a swap of neighbouring letters counting as one (the commonest slip). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const up = rows[i - 1] ?? [];
      let best = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
