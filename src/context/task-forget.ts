/**
 * What memory holds of tasks, found so that deleting the tasks can delete it too: each task's node
 * (its id is the task id) and the records that hang only off the deleted tasks — step outputs
 * (—produced_by→ the task), mistakes (—caused_by→ it) and conversations (—related_to→ it), or
 * records naming the task in `metadata.taskId` with no edge at all.
 *
 * "Only": a record is taken when every edge leaving it leads to something taken as well, so a
 * mistake seen in two tasks stays while one of them is kept. Decisions, patterns and preferences
 * are knowledge about the project, not traces of a run, and are never taken; nor is anything a
 * user linked to a kept node.
 *
 * Plain SQL on the graph tables, which may not exist yet (memory never opened): then there is
 * nothing to take, and nothing is created — a dry run must not change the database.
 */
import type { Db } from '../storage/database.js';

/** Node types that are traces of a task's run. */
const RECORD_TYPES = ['agent_output', 'mistake', 'conversation'] as const;
const RECORD_TYPE_SQL = RECORD_TYPES.map((type) => `'${type}'`).join(', ');

/** Ids of the memory nodes that deleting these tasks would leave pointless. */
export function taskMemoryNodeIds(db: Db, taskIds: readonly string[]): string[] {
  if (taskIds.length === 0 || !hasGraph(db)) return [];
  const tasks = db
    .prepare<[string], { id: string }>("SELECT id FROM context_nodes WHERE type = 'task' AND id IN (SELECT value FROM json_each(?))")
    .all(JSON.stringify(taskIds))
    .map((row) => row.id);
  const taken = new Set(tasks);

  // Candidates: records pointing (transitively) at a task node, and records naming a task.
  const sourcesInto = db.prepare<[string], { id: string }>(
    `SELECT DISTINCT e.source_id AS id FROM context_edges e JOIN context_nodes n ON n.id = e.source_id
      WHERE e.target_id IN (SELECT value FROM json_each(?)) AND n.type IN (${RECORD_TYPE_SQL})`,
  );
  const naming = db
    .prepare<[string], { id: string }>(
      `SELECT id FROM context_nodes WHERE type IN (${RECORD_TYPE_SQL})
        AND json_extract(metadata, '$.taskId') IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(taskIds))
    .map((row) => row.id);
  const candidates = new Set<string>();
  let frontier = [...tasks];
  for (const id of naming) {
    if (!taken.has(id) && !candidates.has(id)) {
      candidates.add(id);
      frontier.push(id);
    }
  }
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const row of sourcesInto.all(JSON.stringify(frontier))) {
      if (taken.has(row.id) || candidates.has(row.id)) continue;
      candidates.add(row.id);
      next.push(row.id);
    }
    frontier = next;
  }
  if (candidates.size === 0) return tasks;

  // Keep dropping candidates with an edge to something not taken, until none has one.
  const outgoing = new Map<string, string[]>();
  const edges = db.prepare<[string], { source: string; target: string }>(
    'SELECT source_id AS source, target_id AS target FROM context_edges WHERE source_id IN (SELECT value FROM json_each(?))',
  );
  for (const edge of edges.all(JSON.stringify([...candidates]))) {
    const targets = outgoing.get(edge.source) ?? [];
    targets.push(edge.target);
    outgoing.set(edge.source, targets);
  }
  let dropped = true;
  while (dropped) {
    dropped = false;
    for (const id of candidates) {
      if ((outgoing.get(id) ?? []).some((target) => !taken.has(target) && !candidates.has(target))) {
        candidates.delete(id);
        dropped = true;
      }
    }
  }
  return [...tasks, ...candidates];
}

/** Deletes those nodes (their edges and vectors go by cascade); returns how many. */
export function forgetTaskMemory(db: Db, taskIds: readonly string[]): number {
  const ids = taskMemoryNodeIds(db, taskIds);
  if (ids.length === 0) return 0;
  return db.prepare('DELETE FROM context_nodes WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids)).changes;
}

function hasGraph(db: Db): boolean {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('context_nodes', 'context_edges')")
    .all();
  return tables.length === 2;
}
