/**
 * The memory's public face: one object the engine, the MCP server, the CLI and outside scripts
 * use to store what happened and find it again. It owns a graph store in the project's one
 * database, an embedding provider and a searcher; the typed record helpers (tasks, mistakes, …),
 * the project scanner and the prompt context are built on its small core.
 */
import { databasePath, openDatabase } from '../storage/database.js';
import { resolveHome } from '../config/config-source.js';
import { OrchestratorError } from '../shared/errors.js';
import { createEmbeddingProvider } from './embeddings/create-embedding.js';
import { DEFAULT_EMBEDDING, type EmbeddingProvider, type EmbeddingSettings } from './embeddings/provider.js';
import { encodeVector } from './embeddings/vector-codec.js';
import { createGraphStore, type GraphStats, type GraphStore, type NodeVector } from './graph-store.js';
import { createSearcher, type SearchSettings } from './hybrid-search.js';
import { createRecords, type MemoryRecords } from './memory-records.js';
import { createProjects, type MemoryProjects } from './memory-projects.js';
import { getRelevantContext, type RelevantContext, type RelevantContextOptions } from './relevant-context.js';
import {
  type EdgeType,
  type MemoryEdge,
  type MemoryNode,
  type Metadata,
  type NodeInput,
  type SearchFilters,
  type SearchOptions,
  type SearchResult,
} from './types.js';

export interface MemoryManagerOptions {
  /** SQLite file; default `$AI_ORCHESTRATOR_HOME/context.db`. `:memory:` for a throwaway store. */
  readonly dbPath?: string;
  /** Default: the offline lexical provider. `{ provider: 'none' }` disables semantic search. */
  readonly embedding?: EmbeddingSettings | EmbeddingProvider;
  readonly search?: SearchSettings;
  /** Re-embed nodes whose vectors came from another provider (or none) on open. Default true. */
  readonly reembedOnOpen?: boolean;
  /** Where non-fatal problems go (an embedding server that is down). */
  readonly onWarning?: (message: string) => void;
}

/** The core every helper builds on. */
export interface MemoryCore {
  readonly store: GraphStore;
  readonly provider: EmbeddingProvider | undefined;
  addNodes(inputs: readonly NodeInput[], options?: { readonly signal?: AbortSignal }): Promise<MemoryNode[]>;
  search(query: string, options?: SearchOptions): Promise<SearchResult[]>;
  link(sourceId: string, targetId: string, type: EdgeType, weight?: number, metadata?: Metadata): MemoryEdge;
}

export interface MemoryStats extends GraphStats {
  readonly embeddingProvider: string;
  readonly dbPath: string;
}

export type MemoryManager = MemoryCore &
  MemoryRecords &
  MemoryProjects & {
    readonly dbPath: string;
    addNode(input: NodeInput, options?: { readonly signal?: AbortSignal }): Promise<MemoryNode>;
    getNode(id: string): MemoryNode | undefined;
    listNodes(filters?: SearchFilters & { readonly limit?: number; readonly offset?: number }): MemoryNode[];
    edgesOf(id: string): { outgoing: MemoryEdge[]; incoming: MemoryEdge[] };
    deleteNodes(ids: readonly string[]): number;
    getRelevantContext(task: string, options?: RelevantContextOptions): Promise<RelevantContext>;
    /** Embeds every node lacking a vector from the current provider; returns how many. */
    reembed(options?: { readonly signal?: AbortSignal }): Promise<number>;
    getStats(): MemoryStats;
    /** Releases the manager: closes a `:memory:` database; a file's shared connection stays with src/storage. */
    close(): void;
  };

/** Opens (creating and migrating if needed) the memory. */
async function open(options: MemoryManagerOptions = {}): Promise<MemoryManager> {
  const dbPath = options.dbPath ?? databasePath(resolveHome());
  const db = openDatabase(dbPath);
  const store = createGraphStore(db);
  const embedding = options.embedding ?? DEFAULT_EMBEDDING;
  const provider = 'embed' in embedding ? embedding : createEmbeddingProvider(embedding);
  const searcher = createSearcher(store, provider, options.search);
  const warn = options.onWarning ?? ((): void => undefined);

  /** One encoded vector per text, in order ([] without a provider). */
  async function embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<NodeVector[]> {
    if (!provider) return [];
    const encoded: NodeVector[] = [];
    for (let i = 0; i < texts.length; i += provider.batchSize) {
      const vectors = await provider.embed(texts.slice(i, i + provider.batchSize), signal ? { signal } : {});
      for (const vector of vectors) encoded.push({ provider: provider.id, dim: vector.length, vector: encodeVector(vector) });
    }
    return encoded;
  }

  async function embedNodes(nodes: readonly MemoryNode[], signal?: AbortSignal): Promise<void> {
    if (!provider || nodes.length === 0) return;
    for (let i = 0; i < nodes.length; i += provider.batchSize) {
      const batch = nodes.slice(i, i + provider.batchSize);
      const vectors = await provider.embed(batch.map(embeddingText), signal ? { signal } : {});
      const rows = batch.flatMap((node, j) => {
        const vector = vectors[j];
        const seq = store.seqOf(node.id);
        return vector && seq !== undefined ? [{ seq, provider: provider.id, dim: vector.length, vector: encodeVector(vector) }] : [];
      });
      store.putVectors(rows);
    }
  }

  const core: MemoryCore = {
    store,
    provider,
    async addNodes(inputs, addOptions = {}) {
      // Validated and embedded first, so nodes, index entries and vectors are written in ONE
      // transaction (a transaction per node or per vector batch was most of the insert time).
      // The schemas (and zod) load with the first write, not with the first search.
      const { parseNodeInputs } = await import('./schemas.js');
      const valid = parseNodeInputs(inputs);
      let vectors: (NodeVector | undefined)[] = [];
      let cancelled: OrchestratorError | undefined;
      try {
        vectors = await embedTexts(valid.map((input) => embeddingText({ title: input.title, content: input.content ?? '' })), addOptions.signal);
      } catch (error) {
        if (OrchestratorError.isInstance(error) && error.code === 'CANCELLED') cancelled = error;
        // The nodes are kept: memory must not be lost because an embedding server is down.
        else warn(`memory: nodes stored without vectors (${String(error instanceof Error ? error.message : error)}); run reembed later`);
      }
      const nodes = store.upsertNodes(valid, vectors);
      if (cancelled) throw cancelled;
      return nodes;
    },
    search(query, searchOptions = {}) {
      const { limit = 10, mode = 'hybrid', signal, ...filters } = searchOptions;
      return searcher.search(query, { ...filters, limit, mode, ...(signal ? { signal } : {}) });
    },
    link: (sourceId, targetId, type, weight, metadata) => store.link(sourceId, targetId, type, weight, metadata),
  };

  const records = createRecords(core);
  const projects = createProjects(core);

  const manager: MemoryManager = {
    ...core,
    ...records,
    ...projects,
    dbPath,
    async addNode(input, addOptions) {
      const [node] = await core.addNodes([input], addOptions);
      if (!node) throw new OrchestratorError('DATABASE_ERROR', 'memory node was not stored');
      return node;
    },
    getNode: (id) => store.getNode(id),
    listNodes: (filters) => store.listNodes(filters),
    edgesOf: (id) => store.edgesOf(id),
    deleteNodes: (ids) => store.deleteNodes(ids),
    getRelevantContext: (task, contextOptions) => getRelevantContext(core, task, contextOptions),
    async reembed(reembedOptions = {}) {
      if (!provider) return 0;
      // A vector per node (node_seq is the vectors' key) means none is missing: two index counts
      // instead of searching 100,000 nodes for one without a vector on every open.
      if (store.vectorCount(provider.id) === store.corpus().nodes) return 0;
      let done = 0;
      for (;;) {
        const batch = store.nodesWithoutVector(provider.id, 512);
        if (batch.length === 0) return done;
        await embedNodes(batch, reembedOptions.signal);
        done += batch.length;
      }
    },
    getStats: () => ({ ...store.stats(), embeddingProvider: provider?.id ?? 'none', dbPath }),
    close() {
      // A file database is one connection per process, shared with the task store: it is
      // closed by the storage module (closeAllDatabases), not by one of its users.
      if (dbPath === ':memory:' && db.open) db.close();
    },
  };
  if (options.reembedOnOpen ?? true) {
    try {
      await manager.reembed();
    } catch (error) {
      warn(`memory: re-embedding failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return manager;
}

/** Namespace-style entry point: `await MemoryManager.open({ dbPath })`. */
export const MemoryManager = { open } as const;

/** The text a node is embedded from: title, content and its typed searchable fields. */
function embeddingText(node: Pick<MemoryNode, 'title' | 'content'>): string {
  return `${node.title}\n${node.content}`.slice(0, 8_000);
}
