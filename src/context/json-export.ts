/**
 * The whole graph as one JSON document, and back. Import upserts (existing ids are updated,
 * edges whose ends are missing are skipped and counted) and re-embeds with the current provider.
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { OrchestratorError } from '../shared/errors.js';
import { readFileLimited } from '../shared/read-limited.js';
import type { MemoryManager } from './memory-manager.js';
import { memoryEdgeSchema, memoryNodeSchema, type MemoryEdge, type MemoryNode } from './types.js';

export const GRAPH_EXPORT_FORMAT = 'ai-orchestrator-context-graph';

const graphDocumentSchema = z.object({
  format: z.literal(GRAPH_EXPORT_FORMAT),
  version: z.literal(1),
  exportedAt: z.string(),
  nodes: z.array(memoryNodeSchema),
  edges: z.array(memoryEdgeSchema),
});
export type GraphDocument = z.infer<typeof graphDocumentSchema>;

export function exportGraph(memory: Pick<MemoryManager, 'listNodes' | 'store'>): GraphDocument {
  return {
    format: GRAPH_EXPORT_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    nodes: memory.listNodes().map((n) => ({ ...n, tags: [...n.tags], metadata: { ...n.metadata } })),
    edges: memory.store.allEdges().map((e) => ({ ...e, metadata: { ...e.metadata } })),
  };
}

export function exportJsonFile(memory: Pick<MemoryManager, 'listNodes' | 'store'>, file: string): { nodes: number; edges: number } {
  const document = exportGraph(memory);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return { nodes: document.nodes.length, edges: document.edges.length };
}

export interface ImportSummary {
  readonly nodes: number;
  readonly edges: number;
  readonly skippedEdges: number;
}

export async function importGraph(memory: Pick<MemoryManager, 'addNodes' | 'store'>, value: unknown): Promise<ImportSummary> {
  const parsed = graphDocumentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrchestratorError('INVALID_INPUT', `not a context graph export: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'}`);
  }
  const nodes: MemoryNode[] = parsed.data.nodes;
  await memory.addNodes(nodes);
  const edges: MemoryEdge[] = parsed.data.edges.filter((e) => memory.store.seqOf(e.sourceId) !== undefined && memory.store.seqOf(e.targetId) !== undefined);
  memory.store.linkMany(edges);
  return { nodes: nodes.length, edges: edges.length, skippedEdges: parsed.data.edges.length - edges.length };
}

/**
 * The largest export `context import` reads. JSON.parse needs several times a document's size in
 * memory, and V8 strings end near 512 MiB: well above any real export, well below a runaway read.
 */
export const IMPORT_LIMIT_BYTES = 256 * 1024 * 1024;

export async function importJsonFile(
  memory: Pick<MemoryManager, 'addNodes' | 'store'>,
  file: string,
  limitBytes = IMPORT_LIMIT_BYTES,
): Promise<ImportSummary> {
  const text = readFileLimited(file, limitBytes, 'context import');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new OrchestratorError('INVALID_INPUT', `${file} is not valid JSON`);
  }
  return importGraph(memory, value);
}
