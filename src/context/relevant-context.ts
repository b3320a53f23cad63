/**
 * What the memory puts in front of an agent: past tasks, mistakes to avoid, patterns, decisions,
 * preferences and the project's files relevant to a task, as structured sections plus a rendered
 * prompt block that fits a token budget (estimated as characters / 4). Mistakes and preferences
 * come first: they change behaviour most per token; files come last, as pointers the agent can
 * open itself.
 */
import type { MemoryCore } from './memory-manager.js';
import { truncate } from './memory-records.js';
import type { MemoryNode, NodeType } from './types.js';

export interface RelevantContextOptions {
  /** Scope: this project's memory (plus global preferences). Omitted: every project. */
  readonly projectId?: string;
  /** Default 1,000 tokens. */
  readonly tokenBudget?: number;
  /** Items per section before the budget is applied (default 5). */
  readonly limit?: number;
  /** Node ids not to include (e.g. the running task itself). */
  readonly excludeIds?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface ContextItem {
  readonly id: string;
  readonly type: NodeType;
  readonly title: string;
  readonly text: string;
}

export interface RelevantContext {
  readonly mistakes: readonly ContextItem[];
  readonly preferences: readonly ContextItem[];
  readonly decisions: readonly ContextItem[];
  readonly patterns: readonly ContextItem[];
  readonly tasks: readonly ContextItem[];
  /** Files of the project (from `context scan`) whose path, symbols or head comment match the task. */
  readonly files: readonly ContextItem[];
  /** Markdown for a prompt; '' when there is nothing worth saying. */
  readonly prompt: string;
  readonly estimatedTokens: number;
}

const SECTIONS: readonly { key: keyof Omit<RelevantContext, 'prompt' | 'estimatedTokens'>; type: NodeType; heading: string; tags?: readonly string[] }[] = [
  { key: 'mistakes', type: 'mistake', heading: 'Mistakes to avoid' },
  { key: 'preferences', type: 'preference', heading: 'Preferences' },
  { key: 'decisions', type: 'decision', heading: 'Decisions already made' },
  { key: 'patterns', type: 'pattern', heading: 'Patterns in this project' },
  { key: 'tasks', type: 'task', heading: 'Related past tasks' },
  // Directories are `file` nodes too; the tag keeps to files.
  { key: 'files', type: 'file', heading: 'Project files that may be relevant', tags: ['file'] },
];

/** Estimated tokens of a text (≈ 4 characters per token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export async function getRelevantContext(core: MemoryCore, task: string, options: RelevantContextOptions = {}): Promise<RelevantContext> {
  const limit = options.limit ?? 5;
  const budget = options.tokenBudget ?? 1_000;
  const exclude = new Set(options.excludeIds ?? []);
  const scope = options.projectId === undefined ? {} : { projectId: options.projectId };
  const signal = options.signal ? { signal: options.signal } : {};

  const collected = {} as Record<(typeof SECTIONS)[number]['key'], ContextItem[]>;
  for (const section of SECTIONS) {
    const found = new Map<string, MemoryNode>();
    const tags = section.tags ? { tags: section.tags } : {};
    const hits = await core.search(task, { types: [section.type], limit: limit * 2, ...tags, ...scope, ...signal });
    for (const hit of hits) if (!exclude.has(hit.node.id)) found.set(hit.node.id, hit.node);
    // Mistakes and preferences matter even without shared words: fill with the most important.
    if (section.type === 'mistake' || section.type === 'preference') {
      for (const node of core.store.listNodes({ types: [section.type], ...scope, limit })) found.set(node.id, node);
      if (section.type === 'preference' && options.projectId) {
        for (const node of core.store.listNodes({ types: ['preference'], projectId: '', minImportance: 0.5, limit })) found.set(node.id, node);
      }
    }
    collected[section.key] = [...found.values()].filter((n) => !exclude.has(n.id)).slice(0, limit).map(toItem);
  }

  const lines: string[] = [];
  let used = estimateTokens('## Memory from earlier work\n');
  for (const section of SECTIONS) {
    const items = collected[section.key];
    const heading = `\n### ${section.heading}\n`;
    let headed = false;
    for (const item of items) {
      const line = `- ${item.text}\n`;
      const cost = estimateTokens(line) + (headed ? 0 : estimateTokens(heading));
      if (used + cost > budget) continue;
      if (!headed) lines.push(heading);
      headed = true;
      lines.push(line);
      used += cost;
    }
  }
  const prompt = lines.length > 0 ? `## Memory from earlier work\n${lines.join('')}` : '';
  return { ...collected, prompt, estimatedTokens: estimateTokens(prompt) };
}

function toItem(node: MemoryNode): ContextItem {
  return { id: node.id, type: node.type, title: node.title, text: truncate(describe(node), 400).replace(/\s+/g, ' ') };
}

function describe(node: MemoryNode): string {
  const m = node.metadata;
  const str = (key: string): string => (typeof m[key] === 'string' ? m[key] : '');
  switch (node.type) {
    case 'mistake': {
      const seen = typeof m['occurrences'] === 'number' && m['occurrences'] > 1 ? ` (seen ${m['occurrences']}×)` : '';
      const fix = str('correction') ? ` — fix: ${str('correction')}` : '';
      const error = str('errorMessage') ? ` — ${truncate(str('errorMessage'), 160)}` : '';
      return `${node.title}${error}${fix}${seen}`;
    }
    case 'task': {
      const outcome = m['success'] === true ? 'succeeded' : m['success'] === false ? 'failed' : str('status');
      const summary = str('summary') ? `: ${truncate(str('summary'), 200)}` : '';
      return `${node.title.replace(/^Task: /, '')} (${outcome})${summary}`;
    }
    case 'decision':
      return `${node.title}: ${str('decision') || node.content}${str('rationale') ? ` — because ${str('rationale')}` : ''}`;
    case 'preference':
      return node.content || node.title;
    case 'file': {
      if (m['kind'] !== 'file') return `${node.title}: ${node.content}`;
      const symbols = Array.isArray(m['symbols']) ? m['symbols'].filter((s): s is string => typeof s === 'string') : [];
      const shown = symbols.length > 8 ? `${symbols.slice(0, 8).join(', ')}, …` : symbols.join(', ');
      return `${node.title}${str('summary') ? ` — ${str('summary')}` : ''}${shown ? ` (${shown})` : ''}`;
    }
    case 'pattern':
    case 'agent_output':
    case 'code_snippet':
    case 'concept':
    case 'conversation':
    case 'project':
      return `${node.title}: ${node.content}`;
  }
}
