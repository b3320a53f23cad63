/**
 * The graph's storage: nodes, edges and vectors in SQLite. Writes are upserts
 * (`INSERT … ON CONFLICT DO UPDATE`, never REPLACE, which would delete a node's edges through
 * the cascade); bulk writes run in one transaction each.
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { migrate, type Db } from '../storage/database.js';
import { OrchestratorError } from '../shared/errors.js';
import { isObject } from '../shared/value-checks.js';
import { parseJson } from './parse-json.js';
import { CONTEXT_MIGRATIONS } from './migrations.js';
import {
  isEdgeType,
  isNodeType,
  type EdgeType,
  type MemoryEdge,
  type MemoryNode,
  type Metadata,
  type NodeInput,
  type NodeType,
  type SearchFilters,
} from './types.js';

/** Metadata fields whose text is worth finding by keyword (indexed beside title and content). */
const SEARCHABLE_FIELDS = [
  'description',
  'summary',
  'errorMessage',
  'correction',
  'rationale',
  'purpose',
  'context',
  'code',
  'alternatives',
  'keywords',
] as const;

interface NodeRow {
  seq: number;
  id: string;
  type: string;
  title: string;
  content: string;
  tags: string;
  metadata: string;
  project_id: string;
  importance: number;
  created_at: string;
  updated_at: string;
}

interface EdgeRow {
  source_id: string;
  target_id: string;
  type: string;
  weight: number;
  metadata: string;
  created_at: string;
}

/** An encoded vector to store with a node (see embeddings/vector-codec.ts). */
export interface NodeVector {
  readonly provider: string;
  readonly dim: number;
  readonly vector: Buffer;
}

export interface StoredVector {
  readonly seq: number;
  readonly provider: string;
  readonly vector: Buffer;
}

export interface GraphStats {
  readonly nodes: number;
  readonly edges: number;
  readonly projects: number;
  readonly nodesByType: Readonly<Record<string, number>>;
  readonly edgesByType: Readonly<Record<string, number>>;
  readonly vectorsByProvider: Readonly<Record<string, number>>;
}

export interface GraphStore {
  readonly db: Db;
  /** Increments on every node or vector write or delete by this process (cache invalidation). */
  generation(): number;
  /** Node count and their total title + content characters (kept by triggers: one row read). */
  corpus(): { readonly nodes: number; readonly chars: number };
  /** Stored vectors of one provider. */
  vectorCount(provider: string): number;
  /**
   * Upserts nodes — with their vectors when given (same index) — in one transaction; returns
   * them as stored, in input order. Inputs must have been checked with `parseNodeInputs`
   * (schemas.ts), as the memory manager's `addNodes` does.
   */
  upsertNodes(inputs: readonly NodeInput[], vectors?: readonly (NodeVector | undefined)[]): MemoryNode[];
  getNode(id: string): MemoryNode | undefined;
  getNodes(ids: readonly string[]): MemoryNode[];
  /** Nodes by their FTS rowids, in the given order. */
  getNodesBySeq(seqs: readonly number[]): Map<number, MemoryNode>;
  seqOf(id: string): number | undefined;
  /** Deletes nodes (and, by cascade, their edges and vectors) in one transaction. */
  deleteNodes(ids: readonly string[]): number;
  deleteProjectNodes(projectId: string): number;
  listNodes(filters?: SearchFilters & { readonly limit?: number; readonly offset?: number }): MemoryNode[];
  countNodes(filters?: SearchFilters): number;
  link(sourceId: string, targetId: string, type: EdgeType, weight?: number, metadata?: Metadata): MemoryEdge;
  linkMany(edges: readonly Omit<MemoryEdge, 'createdAt'>[]): number;
  edgesOf(id: string): { outgoing: MemoryEdge[]; incoming: MemoryEdge[] };
  allEdges(): MemoryEdge[];
  putVectors(rows: readonly { seq: number; provider: string; dim: number; vector: Buffer }[]): void;
  vectorsFor(seqs: readonly number[], provider: string): StoredVector[];
  /** Iterates all vectors of a provider (for an exhaustive semantic scan). */
  iterateVectors(provider: string): IterableIterator<StoredVector>;
  /** Nodes lacking a vector from this provider (new, or embedded by another provider). */
  nodesWithoutVector(provider: string, limit: number): MemoryNode[];
  stats(): GraphStats;
}

/** Opens the graph tables in an already open database, applying pending migrations. */
export function createGraphStore(db: Db): GraphStore {
  migrate(db, CONTEXT_MIGRATIONS);
  const upsertRows = createRowUpserter(db);
  const byId = db.prepare<[string], NodeRow>('SELECT * FROM context_nodes WHERE id = ?');
  const seqById = db.prepare<[string], { seq: number }>('SELECT seq FROM context_nodes WHERE id = ?');
  const deleteById = db.prepare('DELETE FROM context_nodes WHERE id = ?');
  const linkStmt = db.prepare(`
    INSERT INTO context_edges (source_id, target_id, type, weight, metadata, created_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(source_id, target_id, type) DO UPDATE SET weight = excluded.weight, metadata = excluded.metadata
    RETURNING *`);
  const putVector = db.prepare(`
    INSERT INTO context_vectors (node_seq, provider, dim, vector, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(node_seq) DO UPDATE SET provider = excluded.provider, dim = excluded.dim,
      vector = excluded.vector, created_at = excluded.created_at`);

  // Lists of seqs are passed as one JSON array: one prepared statement for any length.
  const nodesBySeqs = db.prepare<[string], NodeRow>('SELECT * FROM context_nodes WHERE seq IN (SELECT value FROM json_each(?))');
  const vectorsBySeqs = db.prepare<[string, string], { node_seq: number; provider: string; vector: Buffer }>(
    'SELECT node_seq, provider, vector FROM context_vectors WHERE provider = ? AND node_seq IN (SELECT value FROM json_each(?))',
  );
  const corpusCounters = db.prepare<[], { name: string; value: number }>(
    "SELECT name, value FROM context_counters WHERE name IN ('nodes', 'node_chars')",
  );
  const vectorCount = db.prepare<[string], { c: number }>('SELECT count(*) AS c FROM context_vectors WHERE provider = ?');

  let generation = 0;
  const upsertNodes = db.transaction((inputs: readonly NodeInput[], vectors: readonly (NodeVector | undefined)[]): MemoryNode[] => {
    generation += 1;
    const now = new Date().toISOString();
    const nodes = inputs.map((input) => ({
      id: input.id ?? randomUUID(),
      type: input.type,
      title: input.title,
      content: input.content ?? '',
      tags: uniqueTags(input.tags ?? []),
      metadata: input.metadata ?? {},
      projectId: input.projectId ?? '',
      importance: input.importance ?? 1,
      createdAt: input.createdAt ?? now,
      updatedAt: input.updatedAt ?? now,
    }));
    const stored = upsertRows(nodes);
    return nodes.map((node, index) => {
      const row = stored.get(node.id);
      if (!row) throw new OrchestratorError('DATABASE_ERROR', `memory node ${node.id} was not stored`);
      const vector = vectors[index];
      if (vector) putVector.run(row.seq, vector.provider, vector.dim, vector.vector, now);
      // An update keeps the node's first creation time: the one stored, not the one given.
      return { ...node, createdAt: row.createdAt };
    });
  });

  const linkMany = db.transaction((edges: readonly Omit<MemoryEdge, 'createdAt'>[]): number => {
    const now = new Date().toISOString();
    for (const edge of edges) {
      linkStmt.get(edge.sourceId, edge.targetId, edge.type, edge.weight, JSON.stringify(edge.metadata), now);
    }
    return edges.length;
  });

  const deleteNodes = db.transaction((ids: readonly string[]): number => {
    generation += 1;
    let count = 0;
    for (const id of ids) count += deleteById.run(id).changes;
    return count;
  });

  const putVectors = db.transaction((rows: readonly { seq: number; provider: string; dim: number; vector: Buffer }[]) => {
    generation += 1;
    const now = new Date().toISOString();
    for (const row of rows) putVector.run(row.seq, row.provider, row.dim, row.vector, now);
  });

  function link(sourceId: string, targetId: string, type: EdgeType, weight = 1, metadata: Metadata = {}): MemoryEdge {
    if (!isEdgeType(type)) throw new OrchestratorError('INVALID_INPUT', `unknown edge type: ${String(type)}`);
    for (const id of [sourceId, targetId]) {
      if (!seqById.get(id)) throw new OrchestratorError('INVALID_INPUT', `cannot link: no memory node with id ${id}`);
    }
    const row = linkStmt.get(sourceId, targetId, type, weight, JSON.stringify(metadata), new Date().toISOString()) as EdgeRow;
    return rowToEdge(row);
  }

  function getNodesBySeq(seqs: readonly number[]): Map<number, MemoryNode> {
    const found = new Map<number, MemoryNode>();
    if (seqs.length === 0) return found;
    for (const row of nodesBySeqs.all(JSON.stringify(seqs))) found.set(row.seq, rowToNode(row));
    return found;
  }

  function listNodes(filters: SearchFilters & { limit?: number; offset?: number } = {}): MemoryNode[] {
    const where = filterClause(filters, 'n');
    const limit = filters.limit === undefined ? -1 : Math.max(0, Math.floor(filters.limit));
    const offset = Math.max(0, Math.floor(filters.offset ?? 0));
    const sql = `SELECT n.* FROM context_nodes n ${where.sql} ORDER BY n.importance DESC, n.updated_at DESC, n.seq LIMIT ? OFFSET ?`;
    return db.prepare<unknown[], NodeRow>(sql).all(...where.params, limit, offset).map(rowToNode);
  }

  return {
    db,
    generation: () => generation,
    corpus: () => {
      const counters = new Map(corpusCounters.all().map((row) => [row.name, row.value]));
      return { nodes: counters.get('nodes') ?? 0, chars: counters.get('node_chars') ?? 0 };
    },
    vectorCount: (provider) => vectorCount.get(provider)?.c ?? 0,
    upsertNodes: (inputs, vectors = []) => upsertNodes(inputs, vectors),
    getNode: (id) => {
      const row = byId.get(id);
      return row ? rowToNode(row) : undefined;
    },
    getNodes: (ids) => ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [rowToNode(row)] : [];
    }),
    getNodesBySeq,
    seqOf: (id) => seqById.get(id)?.seq,
    deleteNodes: (ids) => deleteNodes(ids),
    deleteProjectNodes: (projectId) => {
      generation += 1;
      return db.transaction(() => db.prepare('DELETE FROM context_nodes WHERE project_id = ?').run(projectId).changes)();
    },
    listNodes,
    countNodes: (filters = {}) => {
      const where = filterClause(filters, 'n');
      return db.prepare<unknown[], { c: number }>(`SELECT count(*) AS c FROM context_nodes n ${where.sql}`).get(...where.params)?.c ?? 0;
    },
    link,
    linkMany: (edges) => linkMany(edges),
    edgesOf: (id) => ({
      outgoing: db.prepare<[string], EdgeRow>('SELECT * FROM context_edges WHERE source_id = ?').all(id).map(rowToEdge),
      incoming: db.prepare<[string], EdgeRow>('SELECT * FROM context_edges WHERE target_id = ?').all(id).map(rowToEdge),
    }),
    allEdges: () => db.prepare<[], EdgeRow>('SELECT * FROM context_edges ORDER BY created_at').all().map(rowToEdge),
    putVectors: (rows) => putVectors(rows),
    vectorsFor: (seqs, provider) => {
      if (seqs.length === 0) return [];
      return vectorsBySeqs.all(provider, JSON.stringify(seqs)).map((row) => ({ seq: row.node_seq, provider: row.provider, vector: row.vector }));
    },
    *iterateVectors(provider) {
      const rows = db
        .prepare<[string], { node_seq: number; provider: string; vector: Buffer }>(
          'SELECT node_seq, provider, vector FROM context_vectors WHERE provider = ?',
        )
        .iterate(provider);
      for (const row of rows) yield { seq: row.node_seq, provider: row.provider, vector: row.vector };
    },
    nodesWithoutVector: (provider, limit) =>
      db
        .prepare<[string, number], NodeRow>(
          `SELECT n.* FROM context_nodes n LEFT JOIN context_vectors v ON v.node_seq = n.seq AND v.provider = ?
           WHERE v.node_seq IS NULL ORDER BY n.seq LIMIT ?`,
        )
        .all(provider, limit)
        .map(rowToNode),
    stats: () => {
      const count = (sql: string): number => db.prepare<[], { c: number }>(sql).get()?.c ?? 0;
      const grouped = (sql: string): Record<string, number> =>
        Object.fromEntries(db.prepare<[], { k: string; c: number }>(sql).all().map((r) => [r.k, r.c]));
      return {
        nodes: count('SELECT count(*) AS c FROM context_nodes'),
        edges: count('SELECT count(*) AS c FROM context_edges'),
        projects: count("SELECT count(*) AS c FROM context_nodes WHERE type = 'project'"),
        nodesByType: grouped('SELECT type AS k, count(*) AS c FROM context_nodes GROUP BY type'),
        edgesByType: grouped('SELECT type AS k, count(*) AS c FROM context_edges GROUP BY type'),
        vectorsByProvider: grouped('SELECT provider AS k, count(*) AS c FROM context_vectors GROUP BY provider'),
      };
    },
  };
}

/** Rows per upsert statement: the largest of the statements prepared for powers of two. */
const UPSERT_ROWS = 512;

/**
 * Upserts node rows with multi-row statements (of 512, 256, …, 1 rows, each prepared once) and
 * returns seq and created_at by id. Why not one statement per row: every statement that writes
 * a table with an FTS5 trigger opens a statement savepoint, and FTS5 flushes its pending index
 * data at each savepoint — a one-row index segment per node, then merging them, which made the
 * index ~60 % of insert time. With many rows per statement the index is flushed once per
 * statement. Rows whose id repeats within a batch are upserted in order (the last one wins).
 */
function createRowUpserter(db: Db): (nodes: readonly (Omit<MemoryNode, 'createdAt'> & { createdAt: string })[]) => Map<string, { seq: number; createdAt: string }> {
  const statements = new Map<number, Statement<unknown[], { seq: number; id: string; created_at: string }>>();
  const statement = (rows: number) => {
    let prepared = statements.get(rows);
    if (!prepared) {
      prepared = db.prepare(`
        INSERT INTO context_nodes (id, type, title, content, tags, metadata, extra, project_id, importance, created_at, updated_at)
        VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
        ON CONFLICT(id) DO UPDATE SET
          type = excluded.type, title = excluded.title, content = excluded.content, tags = excluded.tags,
          metadata = excluded.metadata, extra = excluded.extra, project_id = excluded.project_id,
          importance = excluded.importance, updated_at = excluded.updated_at
        RETURNING seq, id, created_at`);
      statements.set(rows, prepared);
    }
    return prepared;
  };
  return (nodes) => {
    const stored = new Map<string, { seq: number; createdAt: string }>();
    let offset = 0;
    while (offset < nodes.length) {
      let rows = UPSERT_ROWS;
      while (rows > nodes.length - offset) rows /= 2;
      const params = nodes.slice(offset, offset + rows).flatMap((node) => [
        node.id,
        node.type,
        node.title,
        node.content,
        JSON.stringify(node.tags),
        JSON.stringify(node.metadata),
        searchableExtra(node.metadata),
        node.projectId,
        node.importance,
        node.createdAt,
        node.updatedAt,
      ]);
      for (const row of statement(rows).all(...params)) stored.set(row.id, { seq: row.seq, createdAt: row.created_at });
      offset += rows;
    }
    return stored;
  };
}

/** SQL for the shared filters, against a nodes alias. */
export function filterClause(filters: SearchFilters, alias: string): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filters.types && filters.types.length > 0) {
    parts.push(`${alias}.type IN (${filters.types.map(() => '?').join(',')})`);
    params.push(...filters.types);
  }
  if (filters.projectId !== undefined) {
    parts.push(`${alias}.project_id = ?`);
    params.push(filters.projectId);
  }
  if (filters.minImportance !== undefined) {
    parts.push(`${alias}.importance >= ?`);
    params.push(filters.minImportance);
  }
  for (const tag of filters.tags ?? []) {
    parts.push(`EXISTS (SELECT 1 FROM json_each(${alias}.tags) WHERE value = ?)`);
    params.push(tag);
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];
}

function searchableExtra(metadata: Metadata): string {
  const parts: string[] = [];
  for (const field of SEARCHABLE_FIELDS) {
    const value = metadata[field];
    if (typeof value === 'string' && value.length > 0) parts.push(value);
    else if (Array.isArray(value)) parts.push(value.filter((v) => typeof v === 'string').join(' '));
  }
  return parts.join('\n');
}


function rowToNode(row: NodeRow): MemoryNode {
  const tags = parseJson(row.tags);
  const metadata = metadataOf(row.metadata);
  return {
    id: row.id,
    type: isNodeType(row.type) ? row.type : ('concept' satisfies NodeType),
    title: row.title,
    content: row.content,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    metadata,
    projectId: row.project_id,
    importance: row.importance,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function rowToEdge(row: EdgeRow): MemoryEdge {
  const metadata = metadataOf(row.metadata);
  return {
    sourceId: row.source_id,
    targetId: row.target_id,
    type: isEdgeType(row.type) ? row.type : 'related_to',
    weight: row.weight,
    metadata,
    createdAt: row.created_at,
  };
}

/**
 * A stored metadata column: JSON.parse gives only JSON values, so an object is all there is to
 * check (no schema: rows are read on every search, before a task's first agent starts).
 */
function metadataOf(column: string): Metadata {
  const value = parseJson(column);
  return isObject(value) ? (value as Metadata) : {};
}
