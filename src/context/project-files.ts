/**
 * A project's files as memory nodes (type `file`, tag `file`, `metadata.kind = "file"`), and what
 * a rescan needs to know of the ones already stored. A file node's text is what finds it: the
 * path as title, language, size, the head comment's sentence and the symbols in the content, and
 * in `metadata.keywords` (indexed with the node) the path and symbol names split into words —
 * `createCircuitBreaker` and `circuit-breaker.ts` both become "circuit breaker".
 */
import { createHash } from 'node:crypto';
import type { Db } from '../storage/database.js';
import type { KnownFile, ScannedFile } from './project-scanner.js';
import { identifierWords, type SourceOutline } from './source-outline.js';
import { NODE_ID_MAX, type NodeInput } from './types.js';

/** Within this long of the scan's start a file may change again without its mtime moving. */
const RACY_WINDOW_MS = 2_000;

/** A path too long for a readable id (NODE_ID_MAX) is named by its hash. */
export function scannedNodeId(projectNode: string, kind: 'dir' | 'file', relativePath: string): string {
  const id = `${projectNode}:${kind}:${relativePath}`;
  return id.length <= NODE_ID_MAX ? id : `${projectNode}:${kind}#${createHash('sha256').update(relativePath).digest('hex')}`;
}

export interface StoredFile extends KnownFile {
  readonly id: string;
}

/** The scanner's file nodes of a project, by relative path (read from SQL, no node is parsed). */
export function storedFiles(db: Db, projectId: string): Map<string, StoredFile> {
  const rows = db
    .prepare<[string], { id: string; path: unknown; size: unknown; mtime: unknown }>(
      `SELECT id, json_extract(metadata, '$.path') AS path, json_extract(metadata, '$.size') AS size,
              json_extract(metadata, '$.mtimeMs') AS mtime
         FROM context_nodes
        WHERE project_id = ? AND type = 'file' AND json_extract(metadata, '$.kind') = 'file'
          AND json_extract(metadata, '$.source') = 'scanner'`,
    )
    .all(projectId);
  const files = new Map<string, StoredFile>();
  for (const row of rows) {
    if (typeof row.path === 'string' && typeof row.size === 'number' && typeof row.mtime === 'number') {
      files.set(row.path, { id: row.id, size: row.size, mtimeMs: row.mtime });
    }
  }
  return files;
}

/** Ids of every scanner-made node of a project. */
export function scannerNodeIds(db: Db, projectId: string): string[] {
  return db
    .prepare<[string], { id: string }>(
      "SELECT id FROM context_nodes WHERE project_id = ? AND json_extract(metadata, '$.source') = 'scanner'",
    )
    .all(projectId)
    .map((row) => row.id);
}

export function fileNode(projectId: string, projectNode: string, file: ScannedFile & { readonly outline: SourceOutline }, scanStartedAtMs: number): NodeInput {
  const { symbols, summary } = file.outline;
  const keywords = identifierWords(`${file.path} ${symbols.join(' ')}`).join(' ');
  const content = [
    `File ${file.path}${file.language ? ` (${file.language}, ${formatSize(file.size)})` : ` (${formatSize(file.size)})`}.`,
    summary,
    symbols.length > 0 ? `Symbols: ${symbols.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id: scannedNodeId(projectNode, 'file', file.path),
    type: 'file',
    title: file.path,
    content,
    tags: ['file', ...(file.language ? [file.language.toLowerCase()] : [])],
    projectId,
    importance: 0.6,
    metadata: {
      source: 'scanner',
      kind: 'file',
      path: file.path,
      language: file.language,
      size: file.size,
      // A file changed within the racy window may change again with the same size and mtime:
      // an impossible mtime makes the next scan read it again.
      mtimeMs: file.mtimeMs >= scanStartedAtMs - RACY_WINDOW_MS ? -1 : file.mtimeMs,
      symbols: [...symbols],
      summary,
      keywords,
    },
  };
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
