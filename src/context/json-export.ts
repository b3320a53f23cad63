/**
 * The whole graph as one JSON document, and back. Import upserts (existing ids are updated,
 * edges whose ends are missing are skipped and counted) and re-embeds with the current provider.
 * Both directions pass every text through the redactor: an export is a file people share, and an
 * import may come from anywhere.
 */
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createRedactor, type Redactor } from '../security/redact.js';
import { OrchestratorError } from '../shared/errors.js';
import { readFileLimited } from '../shared/read-limited.js';
import type { MemoryManager } from './memory-manager.js';
import { nestsDeeperThan } from './parse-json.js';
import { memoryEdgeSchema, memoryNodeSchema } from './schemas.js';
import type { JsonValue, MemoryEdge, MemoryNode } from './types.js';

/** Deeper documents are refused before validation (whose recursion they would overflow). */
export const MAX_IMPORT_DEPTH = 64;

export const GRAPH_EXPORT_FORMAT = 'ai-orchestrator-context-graph';

const graphDocumentSchema = z.object({
  format: z.literal(GRAPH_EXPORT_FORMAT),
  version: z.literal(1),
  exportedAt: z.string(),
  nodes: z.array(memoryNodeSchema),
  edges: z.array(memoryEdgeSchema),
});
export type GraphDocument = z.infer<typeof graphDocumentSchema>;

export function exportGraph(memory: Pick<MemoryManager, 'listNodes' | 'store'>, redact: Redactor = createRedactor()): GraphDocument {
  return {
    format: GRAPH_EXPORT_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    nodes: memory.listNodes().map((n) => redactNode(n, redact)),
    edges: memory.store.allEdges().map((e) => ({ ...e, metadata: redactRecord(e.metadata, redact) })),
  };
}

/**
 * Writes the export (a new file is 0600: it holds the memory). A missing folder or a path that
 * is a folder is a one-line INVALID_INPUT before anything is read.
 */
export function exportJsonFile(
  memory: Pick<MemoryManager, 'listNodes' | 'store'>,
  file: string,
  redact: Redactor = createRedactor(),
): { nodes: number; edges: number } {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  if (!isDirectory(folder)) throw new OrchestratorError('INVALID_INPUT', `cannot write ${target}: folder ${folder} does not exist`);
  if (isDirectory(target)) throw new OrchestratorError('INVALID_INPUT', `cannot write ${target}: it is a folder (give a file name)`);
  const document = exportGraph(memory, redact);
  try {
    writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    throw new OrchestratorError('IO_ERROR', `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  return { nodes: document.nodes.length, edges: document.edges.length };
}

function isDirectory(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
}

function redactNode(node: MemoryNode, redact: Redactor): GraphDocument['nodes'][number] {
  return {
    ...node,
    title: redact(node.title),
    content: redact(node.content),
    tags: node.tags.map(redact),
    metadata: redactRecord(node.metadata, redact),
  };
}

function redactRecord(record: Readonly<Record<string, JsonValue>>, redact: Redactor): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, redactValue(value, redact)]));
}

function redactValue(value: JsonValue, redact: Redactor): JsonValue {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (value !== null && typeof value === 'object') return redactRecord(value, redact);
  return value;
}

export interface ImportSummary {
  readonly nodes: number;
  readonly edges: number;
  readonly skippedEdges: number;
}

export async function importGraph(
  memory: Pick<MemoryManager, 'addNodes' | 'store'>,
  value: unknown,
  redact: Redactor = createRedactor(),
): Promise<ImportSummary> {
  if (nestsDeeperThan(value, MAX_IMPORT_DEPTH)) {
    throw new OrchestratorError('INVALID_INPUT', `not a context graph export: nested deeper than ${MAX_IMPORT_DEPTH} levels`);
  }
  const parsed = graphDocumentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrchestratorError('INVALID_INPUT', `not a context graph export: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'}`);
  }
  const nodes: MemoryNode[] = parsed.data.nodes.map((node) => redactNode(node, redact));
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
  redact: Redactor = createRedactor(),
  limitBytes = IMPORT_LIMIT_BYTES,
): Promise<ImportSummary> {
  const text = readFileLimited(file, limitBytes, 'context import');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new OrchestratorError('INVALID_INPUT', `${file} is not valid JSON`);
  }
  return importGraph(memory, value, redact);
}
