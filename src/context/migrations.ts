/**
 * Schema of the memory graph inside the project's one database. `seq` is the stable integer
 * rowid the FTS5 index is keyed on (an implicit rowid may change on VACUUM); `id` is the public
 * id. Triggers keep the persistent FTS5 index (porter + unicode61) in step with the nodes, so a
 * new process never starts with an empty keyword index that would miss every stored node.
 */
import type { Migration } from '../storage/database.js';

export const CONTEXT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'context/001-graph',
    up: `
      CREATE TABLE context_nodes (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        content TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        metadata TEXT NOT NULL DEFAULT '{}',
        extra TEXT NOT NULL DEFAULT '',
        project_id TEXT NOT NULL DEFAULT '',
        importance REAL NOT NULL DEFAULT 1.0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX context_nodes_type ON context_nodes(type);
      CREATE INDEX context_nodes_project ON context_nodes(project_id, type);
      CREATE INDEX context_nodes_importance ON context_nodes(importance);
      CREATE INDEX context_nodes_created ON context_nodes(created_at);

      CREATE TABLE context_edges (
        source_id TEXT NOT NULL REFERENCES context_nodes(id) ON DELETE CASCADE,
        target_id TEXT NOT NULL REFERENCES context_nodes(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        weight REAL NOT NULL DEFAULT 1.0,
        metadata TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        PRIMARY KEY (source_id, target_id, type)
      );
      CREATE INDEX context_edges_target ON context_edges(target_id);
      CREATE INDEX context_edges_type ON context_edges(type);

      CREATE TABLE context_vectors (
        node_seq INTEGER PRIMARY KEY REFERENCES context_nodes(seq) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX context_vectors_provider ON context_vectors(provider);

      CREATE VIRTUAL TABLE context_fts USING fts5(
        title, content, tags, extra,
        content='context_nodes', content_rowid='seq',
        tokenize='porter unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER context_nodes_ai AFTER INSERT ON context_nodes BEGIN
        INSERT INTO context_fts(rowid, title, content, tags, extra)
        VALUES (new.seq, new.title, new.content, new.tags, new.extra);
      END;
      CREATE TRIGGER context_nodes_ad AFTER DELETE ON context_nodes BEGIN
        INSERT INTO context_fts(context_fts, rowid, title, content, tags, extra)
        VALUES ('delete', old.seq, old.title, old.content, old.tags, old.extra);
      END;
      CREATE TRIGGER context_nodes_au AFTER UPDATE OF title, content, tags, extra ON context_nodes BEGIN
        INSERT INTO context_fts(context_fts, rowid, title, content, tags, extra)
        VALUES ('delete', old.seq, old.title, old.content, old.tags, old.extra);
        INSERT INTO context_fts(rowid, title, content, tags, extra)
        VALUES (new.seq, new.title, new.content, new.tags, new.extra);
      END;
      CREATE VIRTUAL TABLE context_fts_terms USING fts5vocab(context_fts, 'row');
    `,
  },
  {
    // Corpus figures search needs on every query (node count, total characters), kept by
    // triggers so reading them costs one row, not a scan of every node.
    id: 'context/002-counters',
    up: `
      CREATE TABLE context_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO context_counters (name, value) VALUES
        ('nodes', (SELECT count(*) FROM context_nodes)),
        ('node_chars', (SELECT coalesce(sum(length(title) + length(content)), 0) FROM context_nodes));
      CREATE TRIGGER context_nodes_count_ai AFTER INSERT ON context_nodes BEGIN
        UPDATE context_counters SET value = value + 1 WHERE name = 'nodes';
        UPDATE context_counters SET value = value + length(new.title) + length(new.content) WHERE name = 'node_chars';
      END;
      CREATE TRIGGER context_nodes_count_ad AFTER DELETE ON context_nodes BEGIN
        UPDATE context_counters SET value = value - 1 WHERE name = 'nodes';
        UPDATE context_counters SET value = value - length(old.title) - length(old.content) WHERE name = 'node_chars';
      END;
      CREATE TRIGGER context_nodes_count_au AFTER UPDATE OF title, content ON context_nodes BEGIN
        UPDATE context_counters
          SET value = value + length(new.title) + length(new.content) - length(old.title) - length(old.content)
          WHERE name = 'node_chars';
      END;
    `,
  },
  {
    // What a project scan last read of each file node (size, mtime), so a rescan decides which
    // files to read again from one indexed read instead of parsing every node's metadata. A row
    // goes with its node (cascade); a node without a row is simply read again.
    id: 'context/003-scanned-files',
    up: `
      CREATE TABLE context_scanned_files (
        project_id TEXT NOT NULL,
        path TEXT NOT NULL,
        node_id TEXT NOT NULL UNIQUE REFERENCES context_nodes(id) ON DELETE CASCADE,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        PRIMARY KEY (project_id, path)
      ) WITHOUT ROWID;
    `,
  },
];
