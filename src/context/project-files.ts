/**
 * A project's files as memory nodes (type `file`, tag `file`, `metadata.kind = "file"`), and what
 * a rescan needs to know of the ones already stored (context_scanned_files: the size and mtime
 * each was read at). A file node's text is what finds it: the
 * path as title, language, size, the head comment's sentence and the symbols in the content, and
 * in `metadata.keywords` (indexed with the node) the path and symbol names split into words —
 * `createCircuitBreaker` and `circuit-breaker.ts` both become "circuit breaker".
 */
import { createHash } from 'node:crypto';
import type { Db } from '../storage/database.js';
import { parseJson } from './parse-json.js';
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

/** What the last scan read of each file of a project, by relative path (context_scanned_files). */
export function storedFiles(db: Db, projectId: string): Map<string, StoredFile> {
  const rows = db
    .prepare<[string], { id: string; path: string; size: number; mtime: number }>(
      'SELECT node_id AS id, path, size, mtime_ms AS mtime FROM context_scanned_files WHERE project_id = ?',
    )
    .all(projectId);
  return new Map(rows.map((row) => [row.path, { id: row.id, size: row.size, mtimeMs: row.mtime }]));
}

/**
 * Records the size and mtime each file node was read at. A file changed within the racy window
 * of the scan may change again with the same size and mtime: it is recorded with an impossible
 * mtime, so the next scan reads it again.
 */
export function recordScannedFiles(db: Db, projectId: string, projectNode: string, files: readonly ScannedFile[], scanStartedAtMs: number): void {
  const upsert = db.prepare(
    `INSERT INTO context_scanned_files (node_id, project_id, path, size, mtime_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(node_id) DO UPDATE SET project_id = excluded.project_id, path = excluded.path, size = excluded.size, mtime_ms = excluded.mtime_ms`,
  );
  db.transaction(() => {
    for (const file of files) {
      const mtime = file.mtimeMs >= scanStartedAtMs - RACY_WINDOW_MS ? -1 : file.mtimeMs;
      upsert.run(scannedNodeId(projectNode, 'file', file.path), projectId, file.path, file.size, mtime);
    }
  })();
}

/**
 * Scanner-made nodes of a project that are not in `keep` (files gone, folders emptied, patterns
 * that no longer apply). Files come from what the last scan recorded (`stored`); the others are
 * found by their id prefix (`project:<id>:…`), so the 100,000 file nodes are neither read nor
 * parsed — only file nodes without a record (stored by an older scanner, imported) are looked at.
 */
export function staleScannerNodes(db: Db, projectId: string, projectNode: string, stored: ReadonlyMap<string, StoredFile>, keep: ReadonlySet<string>): string[] {
  const prefix = `${projectNode}:`;
  const rows = db
    .prepare<[string, string, number, string], { id: string; metadata: string }>(
      `SELECT id, metadata FROM context_nodes
        WHERE id > ? AND id < ?
          AND (substr(id, ?, 6) NOT IN (':file:', ':file#')
               OR id NOT IN (SELECT node_id FROM context_scanned_files WHERE project_id = ?))`,
    )
    .all(prefix, `${projectNode};`, projectNode.length + 1, projectId);
  const stale = new Set<string>();
  for (const file of stored.values()) if (!keep.has(file.id)) stale.add(file.id);
  for (const row of rows) {
    const metadata = parseJson(row.metadata);
    if (!keep.has(row.id) && typeof metadata === 'object' && metadata !== null && (metadata as Record<string, unknown>)['source'] === 'scanner') stale.add(row.id);
  }
  return [...stale];
}

export function fileNode(projectId: string, projectNode: string, file: ScannedFile & { readonly outline: SourceOutline }): NodeInput {
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
      symbols: [...symbols],
      summary,
      keywords,
    },
  };
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
