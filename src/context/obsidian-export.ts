/**
 * Exports the graph as an Obsidian vault: one note per node (YAML frontmatter + markdown), a
 * folder per node type, `[[wikilinks]]` for edges whose both ends are exported, an `_Index.md`
 * map of content, and `.obsidian/graph.json` with one colour group per node type — merged into
 * an existing graph.json so the user's other settings and colour groups survive (one that does
 * not parse is renamed aside, never overwritten). Note names are safe on every filesystem and in
 * wikilinks (`[]#^|` are replaced too), at most 200 bytes of UTF-8 (file names are limited in
 * bytes, and CJK text takes three per character), and unique per folder regardless of case.
 * Titles and contents are redacted before they become names or notes; a note that cannot be
 * written is skipped and reported, the rest of the vault is still written.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createRedactor, type Redactor } from '../security/redact.js';
import { OrchestratorError, errorMessage } from '../shared/errors.js';
import type { MemoryManager } from './memory-manager.js';
import { parseJson } from './parse-json.js';
import { NODE_TYPES, type MemoryEdge, type MemoryNode, type NodeType } from './types.js';

export const TYPE_FOLDERS: Readonly<Record<NodeType, string>> = {
  conversation: 'Conversations',
  task: 'Tasks',
  mistake: 'Mistakes',
  pattern: 'Patterns',
  decision: 'Decisions',
  code_snippet: 'Code Snippets',
  preference: 'Preferences',
  file: 'Files',
  concept: 'Concepts',
  agent_output: 'Agent Outputs',
  project: 'Projects',
};

const EMOJI: Readonly<Record<NodeType, string>> = {
  conversation: '💬', task: '✅', mistake: '❌', pattern: '🔁', decision: '⚖️', code_snippet: '💻',
  preference: '⚙️', file: '📄', concept: '💡', agent_output: '🤖', project: '🏗️',
};

export const TYPE_COLOURS: Readonly<Record<NodeType, string>> = {
  conversation: '#4FC3F7', task: '#4CAF50', mistake: '#F44336', pattern: '#FF9800', decision: '#9C27B0',
  code_snippet: '#607D8B', preference: '#009688', file: '#2196F3', concept: '#CDDC39', agent_output: '#FF5722', project: '#FFC107',
};

const GRAPH_DEFAULTS = {
  showTags: true,
  showOrphans: true,
  lineSizeMultiplier: 1,
  nodeSizeMultiplier: 1.1,
  centerStrength: 0.5,
  repelStrength: 10,
  linkStrength: 1,
  linkDistance: 250,
  scale: 1,
};

const CORE_PLUGINS = [
  'file-explorer', 'global-search', 'switcher', 'graph', 'backlink', 'outgoing-link', 'tag-pane', 'page-preview',
  'outline', 'word-count', 'file-recovery',
];

const RESERVED_KEYS = new Set(['type', 'tags', 'importance', 'created', 'updated', 'project_id', 'aliases', 'id']);
const CONTENT_LIMIT = 5_000;
/** Bytes of a note's base name: with a " 12345" suffix and ".md" it stays under the 255 of ext4, APFS, NTFS. */
export const NOTE_NAME_MAX_BYTES = 200;

export interface ObsidianExportOptions {
  /** Only these node types (default all). */
  readonly types?: readonly NodeType[];
  /** Applied to titles, contents and metadata before they are written (default: shapes + our env). */
  readonly redact?: Redactor;
  /** Told about notes skipped and a graph.json kept aside. */
  readonly onWarning?: (message: string) => void;
}

export interface SkippedNote {
  readonly id: string;
  readonly file: string;
  readonly reason: string;
}

export interface ObsidianExportResult {
  readonly outputPath: string;
  readonly notesWritten: number;
  readonly edgesLinked: number;
  readonly folders: readonly string[];
  /** Notes that could not be written (the others were). */
  readonly skipped: readonly SkippedNote[];
}

type GraphSource = Pick<MemoryManager, 'listNodes' | 'store'>;

export function exportObsidian(memory: GraphSource, outputPath: string, options: ObsidianExportOptions = {}): ObsidianExportResult {
  const root = path.resolve(outputPath);
  const redact = options.redact ?? createRedactor();
  const warn = options.onWarning ?? ((): void => undefined);
  const folders = [...Object.values(TYPE_FOLDERS), 'Other'];
  prepareVault(root, folders);

  const nodes = memory
    .listNodes(options.types && options.types.length > 0 ? { types: options.types } : {})
    .map((node) => ({ ...node, title: redact(node.title), content: redact(node.content), tags: node.tags.map(redact), metadata: redactMetadata(node.metadata, redact) }));
  const names = assignNames(nodes);
  const edges = memory.store.allEdges().filter((e) => names.has(e.sourceId) && names.has(e.targetId));
  const outgoing = groupBy(edges, (e) => e.sourceId);
  const incoming = groupBy(edges, (e) => e.targetId);

  const skipped: SkippedNote[] = [];
  for (const node of nodes) {
    const name = names.get(node.id);
    if (!name) continue;
    const file = path.join(root, `${name.link}.md`);
    try {
      writeFileSync(file, renderNote(node, name, outgoing.get(node.id) ?? [], incoming.get(node.id) ?? [], names));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
      skipped.push({ id: node.id, file, reason });
      warn(`note ${name.link}.md skipped: ${reason}`);
    }
  }
  writeOrFail(path.join(root, '_Index.md'), renderIndex(nodes, edges.length, names));
  writeObsidianSettings(root, warn);
  return { outputPath: root, notesWritten: nodes.length - skipped.length, edgesLinked: edges.length, folders, skipped };
}

/** The vault's folders; a target that is a file, or cannot be created, is one INVALID_INPUT / IO_ERROR line. */
function prepareVault(root: string, folders: readonly string[]): void {
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new OrchestratorError('INVALID_INPUT', `cannot export to ${root}: it is a file, not a folder`);
  }
  try {
    for (const folder of folders) mkdirSync(path.join(root, folder), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new OrchestratorError('INVALID_INPUT', `cannot export to ${root}: a part of the path is a file, not a folder`);
    throw new OrchestratorError('IO_ERROR', `cannot export to ${root}: ${code ?? errorMessage(error)}`, { cause: error });
  }
}

function writeOrFail(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new OrchestratorError('IO_ERROR', `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`, { cause: error });
  }
}

function redactMetadata(metadata: MemoryNode['metadata'], redact: Redactor): MemoryNode['metadata'] {
  // Only the scalars reach the note's frontmatter (see renderNote): those are the ones to redact.
  return Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, typeof value === 'string' ? redact(value) : value]));
}

/** An object-style API (`ContextExporter.exportObsidian`), for callers written against that shape. */
export function createContextExporter(memory: GraphSource): { exportObsidian(outputPath: string, options?: ObsidianExportOptions): ObsidianExportResult } {
  return { exportObsidian: (outputPath, options) => exportObsidian(memory, outputPath, options) };
}

interface NoteName {
  /** "Folder/Name" without .md: the wikilink target and the file path. */
  readonly link: string;
  /** What the note is called for humans. */
  readonly display: string;
}

/** A file-system- and wikilink-safe name: path and reserved characters out, plus `[]#^` (they break links), cut by bytes. */
export function safeNoteName(text: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/[<>:"/\\|?*\u0000-\u001f\u007f[\]#^]/g, '-').replace(/\s+/g, ' ');
  const trimmed = cutToBytes(cleaned.replace(/^[. ]+|[. ]+$/g, ''), NOTE_NAME_MAX_BYTES).replace(/[. ]+$/g, '');
  return trimmed.length > 0 ? trimmed : '_unnamed';
}

/** The longest prefix of whole code points that fits in `max` bytes of UTF-8. */
function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > max) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

function assignNames(nodes: readonly MemoryNode[]): Map<string, NoteName> {
  const used = new Set<string>();
  const names = new Map<string, NoteName>();
  for (const node of nodes) {
    const folder = TYPE_FOLDERS[node.type] ?? 'Other';
    const display = node.title.trim() || node.content.slice(0, 80).trim() || node.id.slice(0, 16);
    const base = safeNoteName(display);
    let name = base;
    for (let i = 1; used.has(`${folder}/${name}`.toLowerCase()); i++) name = `${base} ${i}`;
    used.add(`${folder}/${name}`.toLowerCase());
    names.set(node.id, { link: `${folder}/${name}`, display });
  }
  return names;
}

function renderNote(
  node: MemoryNode,
  name: NoteName,
  outgoing: readonly MemoryEdge[],
  incoming: readonly MemoryEdge[],
  names: ReadonlyMap<string, NoteName>,
): string {
  const fm: string[] = ['---'];
  fm.push(`type: ${yamlString(node.type)}`);
  fm.push(`tags: ${yamlList([node.type, ...node.tags.filter((t) => t !== node.type)].map(tagSafe))}`);
  fm.push(`importance: ${node.importance}`);
  fm.push(`created: ${yamlString(obsidianTime(node.createdAt))}`);
  fm.push(`updated: ${yamlString(obsidianTime(node.updatedAt))}`);
  if (node.projectId) fm.push(`project_id: ${yamlString(node.projectId)}`);
  const fileName = name.link.slice(name.link.indexOf('/') + 1);
  if (fileName !== node.title) fm.push(`aliases: ${yamlList([node.title || name.display])}`);
  fm.push(`id: ${yamlString(node.id)}`);
  for (const [key, value] of Object.entries(node.metadata)) {
    if (RESERVED_KEYS.has(key)) continue;
    if (typeof value === 'string') fm.push(`${yamlKey(key)}: ${yamlString(value)}`);
    else if (typeof value === 'number' && Number.isFinite(value)) fm.push(`${yamlKey(key)}: ${value}`);
    else if (typeof value === 'boolean') fm.push(`${yamlKey(key)}: ${value}`);
  }
  fm.push('---', '');

  const body: string[] = [`# ${EMOJI[node.type]} ${name.display.replace(/\s+/g, ' ')}`, ''];
  const content = node.content.length > CONTENT_LIMIT ? `${node.content.slice(0, CONTENT_LIMIT)}\n\n…(truncated)` : node.content;
  if (content.trim()) body.push(content.trim(), '');
  if (outgoing.length > 0 || incoming.length > 0) {
    body.push('## Relationships', '');
    for (const [arrow, list, end] of [['→', outgoing, 'targetId'], ['←', incoming, 'sourceId']] as const) {
      for (const [type, group] of groupBy(list, (e) => e.type)) {
        body.push(`### ${arrow} ${titleCase(type)}`, '');
        for (const edge of group) {
          const target = names.get(edge[end]);
          if (target) body.push(`- [[${target.link}|${linkAlias(target.display)}]]`);
        }
        body.push('');
      }
    }
  }
  return `${fm.join('\n')}\n${body.join('\n').trimEnd()}\n`;
}

function renderIndex(nodes: readonly MemoryNode[], edgeCount: number, names: ReadonlyMap<string, NoteName>): string {
  const lines = ['---', 'type: "index"', 'tags: ["index", "moc", "auto-generated"]', '---', '', '# 🗺️ Orchestrator — Context Graph', ''];
  lines.push('## Overview', '', '| | count |', '|---|---|', `| nodes | ${nodes.length} |`, `| edges | ${edgeCount} |`);
  const byType = groupBy(nodes, (n) => n.type);
  for (const type of NODE_TYPES) lines.push(`| ${TYPE_FOLDERS[type]} | ${byType.get(type)?.length ?? 0} |`);
  lines.push('', '## Categories', '');
  for (const type of NODE_TYPES) {
    const list = byType.get(type) ?? [];
    if (list.length === 0) continue;
    lines.push(`### ${EMOJI[type]} ${TYPE_FOLDERS[type]}`, '');
    for (const node of list.slice(0, 100)) {
      const name = names.get(node.id);
      if (name) lines.push(`- [[${name.link}|${linkAlias(name.display)}]]`);
    }
    if (list.length > 100) lines.push(`- … and ${list.length - 100} more`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

const graphFileSchema = z.looseObject({
  colorGroups: z.array(z.looseObject({ query: z.string().optional() })).optional(),
});

function writeObsidianSettings(root: string, warn: (message: string) => void): void {
  const dir = path.join(root, '.obsidian');
  mkdirSync(dir, { recursive: true });
  const graphFile = path.join(dir, 'graph.json');
  let existing: z.infer<typeof graphFileSchema> = {};
  if (existsSync(graphFile)) {
    const parsed = graphFileSchema.safeParse(parseJson(readFileSync(graphFile, 'utf8')));
    if (parsed.success) {
      existing = parsed.data;
    } else {
      // The user's file, perhaps mid-edit: kept whole beside the new one, not silently replaced.
      const aside = `${graphFile}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(graphFile, aside);
      warn(`.obsidian/graph.json did not parse; kept as ${path.basename(aside)} and a new one written`);
    }
  }
  const ours = NODE_TYPES.map((type) => ({ query: `tag:#${type}`, color: { a: 1, rgb: Number.parseInt(TYPE_COLOURS[type].slice(1), 16) } }));
  const ourQueries = new Set(ours.map((g) => g.query));
  const theirs = (existing.colorGroups ?? []).filter((g) => !ourQueries.has(g.query ?? ''));
  writeFileSync(graphFile, `${JSON.stringify({ ...GRAPH_DEFAULTS, ...existing, colorGroups: [...ours, ...theirs] }, null, 2)}\n`);
  const writeIfAbsent = (file: string, value: unknown): void => {
    if (!existsSync(path.join(dir, file))) writeFileSync(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
  };
  writeIfAbsent('appearance.json', { baseFontSize: 16, theme: 'obsidian' });
  writeIfAbsent('core-plugins.json', CORE_PLUGINS);
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A YAML double-quoted scalar (JSON string syntax is valid YAML). */
function yamlString(value: string): string {
  return JSON.stringify(value);
}

function yamlList(values: readonly string[]): string {
  return `[${values.map(yamlString).join(', ')}]`;
}

function yamlKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : yamlString(key);
}

/** Obsidian tags: no spaces, no '#'. */
function tagSafe(tag: string): string {
  return tag.replace(/[\s#,]+/g, '-');
}

function linkAlias(display: string): string {
  return display.replace(/[|[\]\n\r]/g, '-').slice(0, 200);
}

function titleCase(type: string): string {
  return type.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

function obsidianTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19)}Z`;
}
