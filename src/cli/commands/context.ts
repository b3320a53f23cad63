/**
 * `ai-orchestrator context …`: the memory graph from the command line — search, stats, project
 * scanning and deletion, Obsidian/JSON export and JSON import. The memory modules are imported
 * inside the actions so they cost nothing at start-up.
 */
import type { Command } from 'commander';
import { OrchestratorError } from '../../shared/errors.js';
import type { MemoryManager } from '../../context/memory-manager.js';
import type { NodeType } from '../../context/types.js';
import { confirmDestructive } from '../confirm.js';
import type { CliContext } from '../context.js';
import { printJson, printLine, printTable } from '../output.js';
import { createAgentsRedactor, type Redactor } from '../../security/redact.js';

async function openMemory(context: CliContext): Promise<MemoryManager> {
  const { MemoryManager } = await import('../../context/memory-manager.js');
  const { embeddingFromSettings } = await import('../../context/memory-settings.js');
  const { databasePath } = await import('../../storage/database.js');
  return MemoryManager.open({
    dbPath: databasePath(context.home),
    embedding: embeddingFromSettings(context.config().config.settings.memory, context.env),
    onWarning: (message) => context.logger().warn(message),
  });
}

async function withMemory<T>(command: Command, fn: (memory: MemoryManager, context: CliContext) => Promise<T> | T): Promise<T> {
  // The full context (config, logger) loads with the memory, not at start-up.
  const { openCliContext } = await import('../context.js');
  const context = await openCliContext(command);
  const memory = await openMemory(context);
  try {
    return await fn(memory, context);
  } finally {
    memory.close();
  }
}

async function parseTypes(value: string | undefined): Promise<NodeType[] | undefined> {
  if (value === undefined) return undefined;
  const { NODE_TYPES, isNodeType } = await import('../../context/types.js');
  const types = value.split(',').map((t) => t.trim()).filter(Boolean);
  for (const type of types) {
    if (!isNodeType(type)) throw new OrchestratorError('INVALID_INPUT', `unknown node type "${type}" (${NODE_TYPES.join(', ')})`);
  }
  return types as NodeType[];
}

const MAX_LIMIT = 1_000_000;

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new OrchestratorError('INVALID_INPUT', `${flag} must be a whole number from 1 to ${MAX_LIMIT} (got "${value}")`);
  }
  return n;
}

/** Our environment's secrets and those written into the agents' `env`; shapes alone if the config is broken. */
function redactorOf(context: CliContext): Redactor {
  let agentEnvs: Readonly<Record<string, string>>[] = [];
  try {
    agentEnvs = Object.values(context.config().config.agents).map((agent) => agent.env);
  } catch {
    // A broken config must not stop an export: shapes and our environment still apply.
  }
  return createAgentsRedactor(agentEnvs, context.env);
}

export function registerContextCommand(program: Command): void {
  const context = program.command('context').description('the context memory: search it, scan projects into it, export it');

  context
    .command('search')
    .description('search the memory (hybrid keyword + semantic)')
    .argument('<query...>', 'words to search for')
    .option('--project <path-or-id>', "only this project's memory")
    .option('--type <types>', 'only these node types (comma-separated)')
    .option('--limit <n>', 'at most this many results', '10')
    .option('--mode <mode>', 'hybrid, keyword or semantic', 'hybrid')
    .option('--json', 'print JSON')
    .action(async (words: string[], options: { project?: string; type?: string; limit: string; mode: string; json?: boolean }, command: Command) => {
      const query = words.join(' ');
      const limit = positiveInt(options.limit, '--limit');
      const types = await parseTypes(options.type);
      if (!['hybrid', 'keyword', 'semantic'].includes(options.mode)) {
        throw new OrchestratorError('INVALID_INPUT', `--mode must be hybrid, keyword or semantic (got "${options.mode}")`);
      }
      const mode = options.mode as 'hybrid' | 'keyword' | 'semantic';
      await withMemory(command, async (memory) => {
        const projectId = options.project === undefined ? undefined : memory.resolveProjectId(options.project);
        const results = await memory.search(query, { limit, mode, ...(types ? { types } : {}), ...(projectId !== undefined ? { projectId } : {}) });
        if (options.json) {
          printJson({
            query,
            ...(projectId !== undefined ? { projectId } : {}),
            results: results.map((r) => ({
              id: r.node.id,
              type: r.node.type,
              title: r.node.title,
              score: r.score,
              matchType: r.matchType,
              projectId: r.node.projectId,
              tags: r.node.tags,
              importance: r.node.importance,
              highlights: r.highlights,
              content: r.node.content,
            })),
          });
          return;
        }
        if (results.length === 0) {
          printLine('no results');
          return;
        }
        for (const [i, r] of results.entries()) {
          printLine(`${i + 1}. [${r.node.type}] ${r.node.title}  (${r.matchType}, score ${r.score.toPrecision(3)}, id ${r.node.id})`);
          for (const h of r.highlights) printLine(`     ${h}`);
        }
      });
    });

  context
    .command('stats')
    .description('node and edge counts by type, projects, embedding provider')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withMemory(command, (memory) => {
        const stats = memory.getStats();
        if (options.json) {
          printJson(stats);
          return;
        }
        printLine(`database: ${stats.dbPath}`);
        printLine(`nodes: ${stats.nodes}  edges: ${stats.edges}  projects: ${stats.projects}  embedding: ${stats.embeddingProvider}`);
        printTable(['NODE TYPE', 'COUNT'], Object.entries(stats.nodesByType).map(([k, v]) => [k, String(v)]));
        if (Object.keys(stats.edgesByType).length > 0) printTable(['EDGE TYPE', 'COUNT'], Object.entries(stats.edgesByType).map(([k, v]) => [k, String(v)]));
      });
    });

  context
    .command('scan')
    .description('scan a project directory into memory: its files (path, language, symbols, head comment) and layout; a rescan reads only changed files')
    .argument('<path>', 'project directory')
    .option('--max-files <n>', 'stop after this many files', '100000')
    .option('--json', 'print JSON')
    .action(async (projectPath: string, options: { maxFiles: string; json?: boolean }, command: Command) => {
      const maxFiles = positiveInt(options.maxFiles, '--max-files');
      await withMemory(command, async (memory) => {
        const { project, scan, removed, written } = await memory.registerProject(projectPath, { maxFiles });
        const unchanged = scan.files.length - scan.read;
        if (options.json) {
          printJson({
            project,
            truncated: scan.truncated,
            files: scan.files.length,
            read: scan.read,
            unchanged,
            skipped: { binary: scan.skipped.binary, too_large: scan.skipped.tooLarge },
            directories: scan.directories.length,
            structure: scan.structure,
            decisions: scan.decisions,
            written,
            removed,
          });
          return;
        }
        printLine(`project ${project.name} (${project.projectId}) at ${project.path}`);
        printLine(
          `files: ${project.fileCount}${scan.truncated ? ` (stopped at ${maxFiles}, see --max-files)` : ''} — ${scan.read} read, ${unchanged} unchanged; ` +
            `skipped ${scan.skipped.binary} binary and ${scan.skipped.tooLarge} over 256 KB`,
        );
        printLine(`languages: ${project.languages.join(', ') || '-'}  frameworks: ${project.frameworks.join(', ') || '-'}`);
        printLine(`memory nodes: ${project.nodes} (${written} written, ${removed} removed)`);
      });
    });

  context
    .command('projects')
    .description('registered projects')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withMemory(command, (memory) => {
        const projects = memory.listProjects();
        if (options.json) {
          printJson({ projects });
          return;
        }
        printTable(
          ['ID', 'NAME', 'NODES', 'LANGUAGES', 'PATH'],
          projects.map((p) => [p.projectId, p.name, String(p.nodes), p.languages.slice(0, 3).join(', '), p.path]),
        );
      });
    });

  context
    .command('delete-project')
    .description("delete a project's whole memory graph (asks first on a terminal)")
    .argument('<path-or-id>', 'project id (or its path)')
    .option('-y, --yes', 'do not ask (needed when not on a terminal)')
    .action(async (idOrPath: string, options: { yes?: boolean }, command: Command) => {
      // An empty argument would resolve to the current directory: never a silent default here.
      if (idOrPath.trim() === '') throw new OrchestratorError('INVALID_INPUT', 'give the project id or path to delete (see "context projects")');
      await withMemory(command, async (memory) => {
        const projectId = memory.resolveProjectId(idOrPath);
        const count = memory.store.countNodes({ projectId });
        if (count === 0) throw new OrchestratorError('INVALID_INPUT', `no memory for project ${idOrPath}`);
        const project = memory.getProject(projectId);
        const label = `project ${project ? `${project.name} (${projectId}, ${project.path})` : projectId}`;
        if (!(await confirmDestructive(`delete all ${count} memory nodes of ${label}?`, `delete ${label}`, options.yes ? { yes: true } : {}))) {
          process.stderr.write('nothing deleted\n');
          process.exitCode = 1;
          return;
        }
        const deleted = memory.deleteProject(projectId);
        printLine(`deleted ${deleted} nodes of project ${projectId}`);
      });
    });

  context
    .command('export')
    .description('export the memory as an Obsidian vault or one JSON file')
    .option('--obsidian <dir>', 'write an Obsidian vault into this directory')
    .option('--json <file>', 'write the whole graph as JSON')
    .option('--types <types>', 'Obsidian: only these node types (comma-separated)')
    .action(async (options: { obsidian?: string; json?: string; types?: string }, command: Command) => {
      if ((options.obsidian === undefined) === (options.json === undefined)) {
        throw new OrchestratorError('INVALID_INPUT', 'give exactly one of --obsidian <dir> or --json <file>');
      }
      const types = await parseTypes(options.types);
      await withMemory(command, async (memory, cli) => {
        const redact = redactorOf(cli);
        if (options.obsidian !== undefined) {
          const { exportObsidian } = await import('../../context/obsidian-export.js');
          const result = exportObsidian(memory, options.obsidian, {
            ...(types ? { types } : {}),
            redact,
            onWarning: (message) => cli.logger().warn(message),
          });
          const skipped = result.skipped.length > 0 ? ` (${result.skipped.length} notes skipped, see the warnings)` : '';
          printLine(`wrote ${result.notesWritten} notes and ${result.edgesLinked} links to ${result.outputPath}${skipped}`);
        } else if (options.json !== undefined) {
          const { exportJsonFile } = await import('../../context/json-export.js');
          const result = exportJsonFile(memory, options.json, redact);
          printLine(`wrote ${result.nodes} nodes and ${result.edges} edges to ${options.json}`);
        }
      });
    });

  context
    .command('import')
    .description('import a JSON graph written by "context export --json" (upserts)')
    .argument('<file>', 'JSON export')
    .action(async (file: string, _options: unknown, command: Command) => {
      await withMemory(command, async (memory, cli) => {
        const { importJsonFile } = await import('../../context/json-export.js');
        const result = await importJsonFile(memory, file, redactorOf(cli));
        printLine(`imported ${result.nodes} nodes and ${result.edges} edges${result.skippedEdges > 0 ? ` (${result.skippedEdges} edges skipped: missing ends)` : ''}`);
      });
    });
}
