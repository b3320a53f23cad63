/**
 * The memory graph's vocabulary: 11 node types, 12 edge types, and the shapes stored and returned.
 * Typed fields of a node subtype (a mistake's errorType, severity, correction, …) live in
 * `metadata` and come back on read unchanged — de-duplication compares them, so losing them would duplicate.
 * The zod schemas of these shapes, for input from outside, are in schemas.ts.
 */
export const NODE_TYPES = [
  'conversation',
  'task',
  'mistake',
  'pattern',
  'decision',
  'code_snippet',
  'preference',
  'file',
  'concept',
  'agent_output',
  'project',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const EDGE_TYPES = [
  'related_to',
  'caused_by',
  'fixed_by',
  'similar_to',
  'depends_on',
  'preceded_by',
  'followed_by',
  'learned_from',
  'references',
  'contains',
  'produced_by',
  'used_in',
] as const;
export type EdgeType = (typeof EDGE_TYPES)[number];

export function isNodeType(value: string): value is NodeType {
  return (NODE_TYPES as readonly string[]).includes(value);
}

export function isEdgeType(value: string): value is EdgeType {
  return (EDGE_TYPES as readonly string[]).includes(value);
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Metadata = Readonly<Record<string, JsonValue>>;

/** A node as stored and returned. `projectId` is '' for global (project-less) memory. */
export interface MemoryNode {
  readonly id: string;
  readonly type: NodeType;
  readonly title: string;
  readonly content: string;
  readonly tags: readonly string[];
  readonly metadata: Metadata;
  readonly projectId: string;
  readonly importance: number;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a caller gives to add (or update, when `id` exists) a node. */
export interface NodeInput {
  /** Caller-chosen id (e.g. the engine's task id); a random UUID otherwise. */
  readonly id?: string;
  readonly type: NodeType;
  readonly title: string;
  readonly content?: string;
  readonly tags?: readonly string[];
  readonly metadata?: Metadata;
  readonly projectId?: string;
  readonly importance?: number;
  /** Only for imports that keep history; default now. */
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

/** Longest node id: ids are keys of every edge and index, not free text. */
export const NODE_ID_MAX = 512;

export interface MemoryEdge {
  readonly sourceId: string;
  readonly targetId: string;
  readonly type: EdgeType;
  readonly weight: number;
  readonly metadata: Metadata;
  readonly createdAt: string;
}

/** Filters shared by every search lane. */
export interface SearchFilters {
  readonly types?: readonly NodeType[];
  /** Only this project's nodes ('' = only global nodes). Omitted = every project. */
  readonly projectId?: string;
  /** Nodes carrying every one of these tags. */
  readonly tags?: readonly string[];
  readonly minImportance?: number;
}

export interface SearchOptions extends SearchFilters {
  /** Default 10. */
  readonly limit?: number;
  /** Default 'hybrid'. */
  readonly mode?: SearchMode;
  readonly signal?: AbortSignal;
}

export type SearchMode = 'keyword' | 'semantic' | 'hybrid';
export type MatchType = 'keyword' | 'semantic' | 'hybrid';

/**
 * One hit. `score` orders the hits of ONE query (higher is better) and means nothing across
 * queries: for hybrid search it is a fused rank score, never a similarity.
 */
export interface SearchResult {
  readonly node: MemoryNode;
  readonly score: number;
  readonly matchType: MatchType;
  /** Up to 3 sentences of the node sharing words with the query. */
  readonly highlights: readonly string[];
}
