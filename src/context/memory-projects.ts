/**
 * Projects in memory: registering (scanning) a checkout, rescanning it, deleting its whole graph.
 * Scanner-made nodes have deterministic ids (`project:<id>…`) and `metadata.source = "scanner"`,
 * so a rescan updates them in place, removes the ones that no longer apply, and never touches
 * the tasks, mistakes and decisions the project has accumulated.
 *
 * A rescan reads only files whose size or mtime changed (project-files.ts), rewrites only the
 * nodes whose text changed, and removes the nodes of files that are gone.
 *
 * Edges: project —contains→ directory (file node) —contains→ file; project —related_to→ pattern / decision.
 */
import { existsSync } from 'node:fs';
import { OrchestratorError } from '../shared/errors.js';
import type { MemoryCore } from './memory-manager.js';
import { projectIdForPath } from './project-id.js';
import type { ProjectScan, ScanLimits, ScannedFile } from './project-scanner.js';
import type { SourceOutline } from './source-outline.js';
import type { MemoryEdge, MemoryNode, NodeInput } from './types.js';

export interface ProjectInfo {
  readonly projectId: string;
  readonly name: string;
  readonly path: string;
  readonly languages: readonly string[];
  readonly frameworks: readonly string[];
  readonly fileCount: number;
  readonly nodes: number;
  readonly scannedAt: string;
}

export interface RegisteredProject {
  readonly project: ProjectInfo;
  readonly scan: ProjectScan;
  /** Scanner nodes removed because they no longer apply (rescan). */
  readonly removed: number;
  /** Nodes written (new or changed); unchanged ones are left as they are. */
  readonly written: number;
}

export interface MemoryProjects {
  /** Scans a checkout and stores its project graph; idempotent (a second call rescans). */
  registerProject(projectPath: string, options?: ScanLimits & { readonly name?: string; readonly signal?: AbortSignal }): Promise<RegisteredProject>;
  /** Rescans a registered project, by id or path. */
  rescanProject(idOrPath: string, options?: ScanLimits & { readonly signal?: AbortSignal }): Promise<RegisteredProject>;
  /** Deletes every node of the project (and their edges and vectors); returns how many. */
  deleteProject(idOrPath: string): number;
  listProjects(): ProjectInfo[];
  getProject(idOrPath: string): ProjectInfo | undefined;
  /** The project id for a path or an id (16 hex digits naming no existing directory). */
  resolveProjectId(idOrPath: string): string;
  projectIdForPath(projectPath: string): string;
}

export function projectNodeId(projectId: string): string {
  return `project:${projectId}`;
}

export function createProjects(core: MemoryCore): MemoryProjects {
  const resolveProjectId = (idOrPath: string): string => {
    // An empty path would resolve to the current directory: a caller's bug, not a project.
    if (idOrPath.trim() === '') throw new OrchestratorError('INVALID_INPUT', 'a project id or path is required (got an empty one)');
    return /^[0-9a-f]{16}$/.test(idOrPath) && !existsSync(idOrPath) ? idOrPath : projectIdForPath(idOrPath);
  };

  function getProject(idOrPath: string): ProjectInfo | undefined {
    const node = core.store.getNode(projectNodeId(resolveProjectId(idOrPath)));
    return node ? toInfo(node, core.store.countNodes({ projectId: node.projectId })) : undefined;
  }

  async function registerProject(
    projectPath: string,
    options: ScanLimits & { readonly name?: string; readonly signal?: AbortSignal } = {},
  ): Promise<RegisteredProject> {
    // The scanner (its walk, ignore rules, manifest schemas, source outlines) loads when a project
    // is scanned: a task only reads memory.
    const [{ scanProject }, { fileNode, recordScannedFiles, scannedNodeId, staleScannerNodes, storedFiles }] = await Promise.all([
      import('./project-scanner.js'),
      import('./project-files.js'),
    ]);
    const db = core.store.db;
    const known = storedFiles(db, projectIdForPath(projectPath));
    const scan = scanProject(projectPath, { ...options, known: (file) => known.get(file) });
    const { nodes, edges } = projectGraph(scan, scannedNodeId, options.name);
    const root = projectNodeId(scan.projectId);
    const read = scan.files.filter((file): file is ScannedFile & { outline: SourceOutline } => file.outline !== undefined);
    // Files read again whose node would come out the same (touched, not changed) are not rewritten.
    const again = read.filter((file) => known.has(file.path)).map((file) => fileNode(scan.projectId, root, file));
    const added = read.filter((file) => !known.has(file.path)).map((file) => fileNode(scan.projectId, root, file));
    const fileEdges = read.map((file) => ({
      sourceId: scannedNodeId(root, 'dir', parentOf(file.path)),
      targetId: scannedNodeId(root, 'file', file.path),
      type: 'contains' as const,
      weight: 1,
      metadata: {},
    }));
    const written = [...changedOnly([...nodes, ...again]), ...added];
    await core.addNodes(written, options.signal ? { signal: options.signal } : {});
    core.store.linkMany([...edges, ...fileEdges]);
    recordScannedFiles(db, scan.projectId, root, read, scan.startedAtMs);
    const scanned = new Set(scan.files.map((f) => f.path));
    const keep = new Set(nodes.map((n) => n.id ?? ''));
    const removed = core.store.deleteNodes(staleScannerNodes(db, scan.projectId, root, known, scanned, keep));
    const project = getProject(scan.projectId);
    if (!project) throw new OrchestratorError('DATABASE_ERROR', `project ${scan.projectId} was not stored`);
    return { project, scan, removed, written: written.length };
  }

  /** The project node always (it carries the scan time); the others only when their text changed. */
  function changedOnly(inputs: readonly NodeInput[]): NodeInput[] {
    const stored = new Map(core.store.getNodes(inputs.map((n) => n.id ?? '')).map((node) => [node.id, node]));
    return inputs.filter((input) => {
      const node = stored.get(input.id ?? '');
      return (
        input.type === 'project' ||
        !node ||
        node.title !== input.title ||
        node.content !== (input.content ?? '') ||
        node.importance !== (input.importance ?? 1) ||
        JSON.stringify(node.tags) !== JSON.stringify(input.tags ?? []) ||
        JSON.stringify(node.metadata) !== JSON.stringify(input.metadata ?? {})
      );
    });
  }

  return {
    registerProject,
    async rescanProject(idOrPath, options = {}) {
      const known = getProject(idOrPath);
      if (!known) throw new OrchestratorError('INVALID_INPUT', `no registered project ${idOrPath} (register it with "context scan <path>")`);
      return registerProject(known.path, { ...options, name: known.name });
    },
    deleteProject: (idOrPath) => core.store.deleteProjectNodes(resolveProjectId(idOrPath)),
    listProjects: () =>
      core.store.listNodes({ types: ['project'] }).map((node) => toInfo(node, core.store.countNodes({ projectId: node.projectId }))),
    getProject,
    resolveProjectId,
    projectIdForPath,
  };
}

function projectGraph(
  scan: ProjectScan,
  scannedNodeId: (root: string, kind: 'dir' | 'file', path: string) => string,
  name?: string,
): { nodes: NodeInput[]; edges: Omit<MemoryEdge, 'createdAt'>[] } {
  const pid = scan.projectId;
  const root = projectNodeId(pid);
  const now = new Date().toISOString();
  const scanner = { source: 'scanner' } as const;
  const languages = scan.languages.map((l) => l.language);
  const nodes: NodeInput[] = [
    {
      id: root,
      type: 'project',
      title: name ?? scan.name,
      content: [
        `# ${name ?? scan.name}`,
        `Path: ${scan.root}`,
        `Files: ${scan.fileCount}${scan.truncated ? ' (scan stopped at the file limit)' : ''}`,
        `Languages: ${scan.languages.map((l) => `${l.language} (${l.files})`).join(', ') || 'none detected'}`,
        `Frameworks and tools: ${scan.frameworks.join(', ') || 'none detected'}`,
        scan.structure.length > 0 ? `Layout: ${scan.structure.map((s) => s.name).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      tags: ['project', ...languages.slice(0, 3).map((l) => l.toLowerCase()), ...scan.frameworks.slice(0, 10)],
      projectId: pid,
      importance: 3,
      metadata: { ...scanner, path: scan.root, languages, frameworks: [...scan.frameworks], fileCount: scan.fileCount, scannedAt: now },
    },
  ];
  const edges: Omit<MemoryEdge, 'createdAt'>[] = [];
  const child = (input: NodeInput, type: MemoryEdge['type']): void => {
    nodes.push(input);
    edges.push({ sourceId: root, targetId: input.id ?? '', type, weight: 1, metadata: {} });
  };
  for (const dir of scan.directories) {
    child(
      {
        id: scannedNodeId(root, 'dir', dir.path),
        type: 'file',
        title: dir.path === '.' ? `${scan.name}/` : `${dir.path}/`,
        content: `Directory ${dir.path} with ${dir.files} files${dir.languages.length > 0 ? ` (${dir.languages.join(', ')})` : ''}.`,
        tags: ['directory'],
        projectId: pid,
        importance: 0.5,
        metadata: { ...scanner, kind: 'directory', path: dir.path, files: dir.files, languages: [...dir.languages] },
      },
      'contains',
    );
  }
  const pattern = (key: string, title: string, description: string): void =>
    child(
      { id: `${root}:pattern:${key}`, type: 'pattern', title, content: description, tags: ['pattern', 'scanned'], projectId: pid, importance: 1.2, metadata: { ...scanner, description } },
      'related_to',
    );
  for (const s of scan.structure) pattern(`structure:${slug(s.name)}`, s.name, s.description);
  for (const l of scan.languages.slice(0, 3)) pattern(`language:${slug(l.language)}`, `${l.language} code`, `${l.files} ${l.language} files in the project.`);
  for (const f of scan.frameworks.slice(0, 10)) pattern(`framework:${slug(f)}`, `Uses ${f}`, `The project uses ${f}.`);
  for (const d of scan.decisions) {
    child(
      { id: `${root}:decision:${d.key}`, type: 'decision', title: d.title, content: d.decision, tags: ['decision', 'scanned'], projectId: pid, importance: 1.5, metadata: { ...scanner, decision: d.decision } },
      'related_to',
    );
  }
  return { nodes, edges };
}

function toInfo(node: MemoryNode, count: number): ProjectInfo {
  const m = node.metadata;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  return {
    projectId: node.projectId,
    name: node.title,
    path: typeof m['path'] === 'string' ? m['path'] : '',
    languages: strings(m['languages']),
    frameworks: strings(m['frameworks']),
    fileCount: typeof m['fileCount'] === 'number' ? m['fileCount'] : 0,
    nodes: count,
    scannedAt: typeof m['scannedAt'] === 'string' ? m['scannedAt'] : node.updatedAt,
  };
}

function parentOf(relativePath: string): string {
  const slash = relativePath.lastIndexOf('/');
  return slash < 0 ? '.' : relativePath.slice(0, slash);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
