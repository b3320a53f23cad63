/**
 * A project's files as memory nodes (type `file`, tag `file`, `metadata.kind = "file"`), and what
 * a rescan needs to know of the ones already stored (context_scanned_files: the size and mtime
 * each was read at). A file node's text is what finds it: the path as title, language, size, the
 * head comment's sentence and the symbols in the content, and in `metadata.keywords` (indexed with
 * the node) the path and symbol names split into words — `createCircuitBreaker` and
 * `circuit-breaker.ts` both become "circuit breaker".
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
     ON CONFLICT(project_id, path) DO UPDATE SET node_id = excluded.node_id, size = excluded.size, mtime_ms = excluded.mtime_ms`,
  );
  db.transaction(() => {
    for (const file of files) {
      const mtime = file.mtimeMs >= scanStartedAtMs - RACY_WINDOW_MS ? -1 : file.mtimeMs;
      upsert.run(scannedNodeId(projectNode, 'file', file.path), projectId, file.path, file.size, mtime);
    }
  })();
}

/**
 * Scanner-made nodes of a project that are no longer wanted: files not seen by this scan (gone,
 * now ignored, now binary or too big), and other scanner nodes not in `keep` (folders emptied,
 * patterns that no longer apply). Files come from what the last scan recorded (`stored`); the
 * others are read by their id prefix (`project:<id>:…`) around the file nodes' range, so the
 * file nodes are neither read nor parsed — unless some have no record (stored by an older scanner,
 * or imported), which their count shows.
 */
export function staleScannerNodes(
  db: Db,
  projectId: string,
  projectNode: string,
  stored: ReadonlyMap<string, StoredFile>,
  scanned: ReadonlySet<string>,
  keep: ReadonlySet<string>,
): string[] {
  const stale = new Set<string>();
  for (const [filePath, file] of stored) if (!scanned.has(filePath)) stale.add(file.id);
  const [start, filesStart, filesEnd, end] = [`${projectNode}:`, `${projectNode}:file#`, `${projectNode}:file;`, `${projectNode};`];
  const range = db.prepare<[string, string], { id: string; metadata: string }>('SELECT id, metadata FROM context_nodes WHERE id >= ? AND id < ?');
  const rows = [...range.all(start, filesStart), ...range.all(filesEnd, end)];
  const fileNodes = db.prepare<[string, string], { c: number }>('SELECT count(*) AS c FROM context_nodes WHERE id >= ? AND id < ?').get(filesStart, filesEnd)?.c ?? 0;
  if (fileNodes !== stored.size) {
    const unrecorded = db
      .prepare<[string, string, string], { id: string; metadata: string }>(
        `SELECT id, metadata FROM context_nodes WHERE id >= ? AND id < ?
            AND id NOT IN (SELECT node_id FROM context_scanned_files WHERE project_id = ?)`,
      )
      .all(filesStart, filesEnd, projectId);
    for (const row of unrecorded) {
      const metadata = scannerMetadata(row.metadata);
      if (metadata && !(typeof metadata['path'] === 'string' && scanned.has(metadata['path']))) stale.add(row.id);
    }
  }
  for (const row of rows) if (!keep.has(row.id) && scannerMetadata(row.metadata)) stale.add(row.id);
  return [...stale];
}

/** A node's metadata when a scan made it. */
function scannerMetadata(text: string): Record<string, unknown> | undefined {
  const metadata = parseJson(text);
  return typeof metadata === 'object' && metadata !== null && (metadata as Record<string, unknown>)['source'] === 'scanner'
    ? (metadata as Record<string, unknown>)
    : undefined;
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
