/**
 * Loads the configuration in layers (built-in defaults < file < environment < flags) and
 * turns every problem into `file:line:column message`, so a user can jump straight to it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { openConfigCache } from './config-cache.js';
import { ConfigError, applyEnvironment, findConfigSource, type LoadConfigOptions, type LoadedConfig } from './config-source.js';
import { knownFields, nearestName } from './known-fields.js';
import { configSchema, type OrchestratorConfig } from './schema.js';
import { listWorkflows } from './workflows.js';

export {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  findConfigSource,
  formatIssue,
  resolveHome,
  type ConfigIssue,
  type ConfigSource,
  type ConfigSourceKind,
  type LoadConfigOptions,
  type LoadedConfig,
} from './config-source.js';

/**
 * Reads, parses and validates the configuration. With a `home`, a configuration validated
 * before from the same text by the same build is taken from the cache there, and a freshly
 * validated one is remembered (config-cache.ts).
 */
export function loadConfig(options: LoadConfigOptions & { readonly home?: string } = {}): LoadedConfig {
  const source = findConfigSource(options);
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError([{ file: source.path, line: 1, column: 1, message: `cannot read config: ${reason}` }]);
  }
  const cache = options.home === undefined ? undefined : openConfigCache(options.home);
  let config = cache?.get(source.path, text);
  if (!config) {
    config = parseConfigText(text, source.path);
    cache?.set(source.path, text, config);
  }
  return { config: applyEnvironment(config, options.env ?? process.env), source };
}

/**
 * Alias expansions allowed while turning the YAML into values. A few nested aliases that each
 * repeat the previous one ("billion laughs") would otherwise expand into gigabytes.
 */
const MAX_ALIAS_COUNT = 100;

/** The document as plain values; an alias bomb is a located config error, not a crash. */
function toPlainValue(doc: Document, at: (offset: number) => { file: string; line: number; col: number }): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    let aliasOffset = 0;
    visit(doc, {
      Alias(_key, node) {
        aliasOffset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { file, line, col } = at(aliasOffset);
    throw new ConfigError([
      {
        file,
        line,
        column: col,
        message: `YAML aliases expand too much (over ${MAX_ALIAS_COUNT} expansions, ${firstLine(error instanceof Error ? error.message : String(error))})`,
      },
    ]);
  }
}

/** Parses and validates YAML text; throws ConfigError with located issues. */
export function parseConfigText(text: string, file: string): OrchestratorConfig {
  const shortName = displayName(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return { file: shortName, line: pos.line, column: pos.col, message: `YAML syntax error: ${firstLine(error.message)}` };
      }),
    );
  }
  const locate = (issuePath: readonly PropertyKey[], key?: string): { line: number; column: number } => {
    const offset = findOffset(doc, issuePath, key);
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  // Only comments (or nothing): say so, rather than that `agents` is missing.
  if (doc.contents === null) throw new ConfigError([{ file: shortName, line: 1, column: 1, message: 'the file is empty' }]);
  const raw = toPlainValue(doc, (offset) => ({ file: shortName, ...lineCounter.linePos(offset) }));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      flattenIssues(parsed.error.issues).flatMap((issue) => {
        if (issue.code !== 'unrecognized_keys') return [{ file: shortName, ...locate(issue.path), message: describeIssue(issue) }];
        // One line per unknown field, each at its own key, with the whole path and the nearest known name.
        const known = knownFields(configSchema, issue.path);
        return issue.keys.map((key) => ({ file: shortName, ...locate(issue.path, key), message: describeUnknownField(issue.path, key, known) }));
      }),
    );
  }
  const semantic = checkReferences(parsed.data).map((problem) => ({
    file: shortName,
    ...locate(problem.path),
    message: problem.message,
  }));
  if (semantic.length > 0) throw new ConfigError(semantic);
  return parsed.data;
}

interface ReferenceProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** What the schema cannot say: names that must refer to defined agents. */
function checkReferences(config: OrchestratorConfig): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const known = (name: string): boolean => Object.hasOwn(config.agents, name);
  for (const workflow of listWorkflows(config)) {
    const raw = config.workflows[workflow.name];
    const stepsPath: PropertyKey[] = Array.isArray(raw) ? ['workflows', workflow.name] : ['workflows', workflow.name, 'steps'];
    workflow.steps.forEach((step, index) => {
      if (!known(step.agent)) {
        problems.push({
          path: [...stepsPath, index, 'agent'],
          message: `workflow "${workflow.name}" step ${index + 1} names unknown agent "${step.agent}"`,
        });
      }
      if (step.fallback !== undefined && !known(step.fallback)) {
        problems.push({
          path: [...stepsPath, index, 'fallback'],
          message: `workflow "${workflow.name}" step ${index + 1} names unknown fallback agent "${step.fallback}"`,
        });
      }
    });
  }
  for (const [name, agent] of Object.entries(config.agents)) {
    if ((agent.type === 'cli' || agent.type === 'generic') && !agent.command) {
      problems.push({ path: ['agents', name, 'type'], message: `agent "${name}" of type ${agent.type} needs a command` });
    }
  }
  return problems;
}

function flattenIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    // Report the branch that got furthest: its issues are the ones that explain the mistake.
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
    return best.length > 0 ? flattenIssues(best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }))) : [issue];
  });
}

function depth(branch: readonly z.core.$ZodIssue[]): number {
  return Math.max(...branch.map((issue) => issue.path.length + (issue.code === 'invalid_type' ? 0 : 0.5)));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = describePath(issue.path);
  const what = issue.message.replace(/^Invalid input: /, '');
  return where ? `${where}: ${what}` : what;
}

function describeUnknownField(container: readonly PropertyKey[], key: string, known: readonly string[]): string {
  const fieldPath = [...container, key];
  // A top-level key, or one naming an agent or workflow: describePath would read it as that agent's name.
  const where = container.length === 0 || (container.length === 1 && container[0] !== 'settings') ? `field "${fieldPath.map(String).join('.')}"` : describePath(fieldPath);
  const nearest = nearestName(key, known);
  return `${where}: unknown field${nearest ? `; did you mean "${nearest}"?` : ''}`;
}

function describePath(issuePath: readonly PropertyKey[]): string {
  const [section, name, ...rest] = issuePath.map(String);
  if (section === 'agents' && name !== undefined) {
    return rest.length > 0 ? `agent "${name}" field "${rest.join('.')}"` : `agent "${name}"`;
  }
  if (section === 'workflows' && name !== undefined) {
    const stepIndex = rest[0] === 'steps' ? rest[1] : rest[0];
    const field = rest[0] === 'steps' ? rest.slice(2) : rest.slice(1);
    if (stepIndex !== undefined && /^\d+$/.test(stepIndex)) {
      return `workflow "${name}" step ${Number(stepIndex) + 1}${field.length > 0 ? ` field "${field.join('.')}"` : ''}`;
    }
    return `workflow "${name}"${rest.length > 0 ? ` field "${rest.join('.')}"` : ''}`;
  }
  if (section === 'settings') return `setting "${[name, ...rest].filter((p) => p !== undefined).join('.')}"`;
  return issuePath.map(String).join('.');
}

/** Offset of the YAML node at `issuePath` (the key node when `key` is given), or of its nearest ancestor. */
function findOffset(doc: Document, issuePath: readonly PropertyKey[], key?: string): number {
  let node: Node | null | undefined = doc.contents;
  let offset = node?.range?.[0] ?? 0;
  const segments = key === undefined ? issuePath : [...issuePath, key];
  for (const [index, segment] of segments.entries()) {
    const isLast = index === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const keyNode = pair.key as Node;
      const value = pair.value as Node | null;
      offset = (key !== undefined && isLast) || !value?.range ? (keyNode.range?.[0] ?? offset) : value.range[0];
      node = value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item?.range) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function displayName(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
