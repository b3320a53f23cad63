/**
 * Typed records on top of plain nodes: tasks (with their steps' outputs and failures), mistakes
 * (de-duplicated), conversations, patterns, decisions, code snippets and preferences. The typed
 * fields go into `metadata` and come back on read.
 *
 * Edge directions (source —type→ target), read as a sentence:
 *   agent_output —produced_by→ task        the output was produced by the task
 *   agent_output —followed_by→ agent_output step n is followed by step n+1
 *   mistake —caused_by→ task               the mistake was caused by (happened in) the task
 *   mistake —references→ agent_output      the mistake points at the failing step's output
 *   decision|conversation —related_to→ task
 */
import { lexicalSimilarity } from './embeddings/lexical.js';
import type { MemoryCore } from './memory-manager.js';
import type { JsonValue, MemoryNode, Metadata } from './types.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

const SEVERITY_IMPORTANCE: Readonly<Record<Severity, number>> = { low: 1, medium: 1.5, high: 2, critical: 3 };

/** Lexical cosine above which two mistakes of the same type and project are the same mistake. */
export const MISTAKE_DUPLICATE_SIMILARITY = 0.8;

interface Common {
  readonly projectId?: string;
  readonly tags?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface TaskStepRecord {
  readonly agent: string;
  readonly role: string;
  readonly success: boolean;
  readonly output: string;
  readonly error?: { readonly kind: string; readonly message: string };
  readonly filesModified?: readonly string[];
  /** false: the failure was not the agent's doing (cancelled, auth, network…): no mistake is logged. */
  readonly mistake?: boolean;
}

/** What the engine hands over when a task finishes. */
export interface TaskRecord extends Common {
  /** The engine's task id; becomes the task node's id. */
  readonly taskId: string;
  readonly description: string;
  /** The final outcome text (summary or final output). */
  readonly outcome?: string;
  readonly success: boolean;
  /** e.g. completed, failed, cancelled. */
  readonly status: string;
  readonly workflow?: string;
  readonly agents?: readonly string[];
  readonly steps?: readonly TaskStepRecord[];
}

export interface StoredTask {
  readonly task: MemoryNode;
  readonly outputs: readonly MemoryNode[];
  readonly mistakes: readonly MemoryNode[];
}

export interface MistakeRecord extends Common {
  /** One line: what went wrong. */
  readonly description: string;
  /** A category used for de-duplication (e.g. the failure kind: timeout, auth, test_failure). */
  readonly errorType: string;
  readonly errorMessage?: string;
  /** How it was (or should be) fixed. */
  readonly correction?: string;
  readonly severity?: Severity;
  readonly context?: string;
  /** Task this mistake happened in: linked mistake —caused_by→ task. */
  readonly taskId?: string;
}

export interface LoggedMistake {
  readonly node: MemoryNode;
  /** True when an existing mistake was updated (occurrences + 1) instead of adding one. */
  readonly deduplicated: boolean;
}

export interface ConversationRecord extends Common {
  readonly title?: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  readonly summary?: string;
  readonly agent?: string;
  readonly taskId?: string;
}

export interface PatternRecord extends Common {
  readonly name: string;
  readonly description: string;
  readonly example?: string;
  readonly patternType?: string;
  /** 0..1, default 0.5. */
  readonly confidence?: number;
}

export interface DecisionRecord extends Common {
  readonly title: string;
  readonly decision: string;
  readonly rationale?: string;
  readonly alternatives?: readonly string[];
  readonly taskId?: string;
}

export interface CodeSnippetRecord extends Common {
  readonly title: string;
  readonly code: string;
  readonly language?: string;
  readonly purpose?: string;
  readonly filePath?: string;
}

export interface PreferenceRecord extends Common {
  /** e.g. "style", "testing", "tooling". */
  readonly category: string;
  readonly preference: string;
  /** Default 2 (preferences are always worth a line in a prompt). */
  readonly importance?: number;
}

export interface MemoryRecords {
  storeTask(record: TaskRecord): Promise<StoredTask>;
  logMistake(record: MistakeRecord): Promise<LoggedMistake>;
  storeConversation(record: ConversationRecord): Promise<MemoryNode>;
  storePattern(record: PatternRecord): Promise<MemoryNode>;
  storeDecision(record: DecisionRecord): Promise<MemoryNode>;
  storeCodeSnippet(record: CodeSnippetRecord): Promise<MemoryNode>;
  storePreference(record: PreferenceRecord): Promise<MemoryNode>;
}

const OUTPUT_LIMIT = 8_000;

export function createRecords(core: MemoryCore): MemoryRecords {
  const signalOf = (record: Common): { signal?: AbortSignal } => (record.signal ? { signal: record.signal } : {});

  async function addOne(input: Parameters<MemoryCore['addNodes']>[0][number], record: Common): Promise<MemoryNode> {
    const [node] = await core.addNodes([input], signalOf(record));
    if (!node) throw new Error('memory node was not stored');
    return node;
  }

  function linkIfPresent(sourceId: string, targetId: string | undefined, type: Parameters<MemoryCore['link']>[2]): void {
    if (targetId !== undefined && core.store.seqOf(targetId) !== undefined) core.link(sourceId, targetId, type);
  }

  async function logMistake(record: MistakeRecord): Promise<LoggedMistake> {
    const projectId = record.projectId ?? '';
    const text = `${record.description}\n${record.errorMessage ?? ''}`;
    const candidates = await core.search(text, { types: ['mistake'], projectId, limit: 10, mode: 'keyword' });
    // A raw fused score is no similarity: the duplicate test compares the two mistakes' texts.
    const duplicate = candidates
      .map((hit) => hit.node)
      .filter((node) => node.metadata['errorType'] === record.errorType)
      .map((node) => ({ node, similarity: lexicalSimilarity(text, `${node.title}\n${stringField(node.metadata, 'errorMessage')}`) }))
      .filter((c) => c.similarity >= MISTAKE_DUPLICATE_SIMILARITY)
      .sort((a, b) => b.similarity - a.similarity)[0];
    if (duplicate) {
      const previous = duplicate.node;
      const occurrences = numberField(previous.metadata, 'occurrences', 1) + 1;
      const [node] = await core.addNodes(
        [
          {
            ...previous,
            updatedAt: new Date().toISOString(),
            tags: [...previous.tags, ...(record.tags ?? [])],
            importance: Math.max(previous.importance, severityImportance(record.severity)) + 0.1,
            metadata: {
              ...previous.metadata,
              occurrences,
              lastSeen: new Date().toISOString(),
              ...(record.correction ? { correction: record.correction } : {}),
            },
          },
        ],
        signalOf(record),
      );
      const updated = node ?? previous;
      linkIfPresent(updated.id, record.taskId, 'caused_by');
      return { node: updated, deduplicated: true };
    }
    const node = await addOne(
      {
        type: 'mistake',
        title: truncate(record.description, 200),
        content: [record.description, record.errorMessage && `Error: ${record.errorMessage}`, record.correction && `Correction: ${record.correction}`, record.context && `Context: ${record.context}`]
          .filter(Boolean)
          .join('\n\n'),
        tags: ['mistake', record.errorType, ...(record.tags ?? [])],
        projectId,
        importance: severityImportance(record.severity),
        metadata: compact({
          errorType: record.errorType,
          errorMessage: record.errorMessage,
          correction: record.correction,
          severity: record.severity ?? 'medium',
          context: record.context,
          occurrences: 1,
          taskId: record.taskId,
        }),
      },
      record,
    );
    linkIfPresent(node.id, record.taskId, 'caused_by');
    return { node, deduplicated: false };
  }

  return {
    logMistake,

    async storeTask(record) {
      const projectId = record.projectId ?? '';
      const steps = record.steps ?? [];
      const task = await addOne(
        {
          id: record.taskId,
          type: 'task',
          title: `Task: ${truncate(record.description, 100)}`,
          content: [record.description, record.outcome && `Outcome: ${record.outcome}`].filter(Boolean).join('\n\n'),
          tags: ['task', record.status, ...(record.workflow ? [`workflow-${record.workflow}`] : []), ...(record.tags ?? [])],
          projectId,
          importance: record.success ? 1.5 : 2,
          metadata: compact({
            taskId: record.taskId,
            description: record.description,
            success: record.success,
            status: record.status,
            workflow: record.workflow,
            agents: [...(record.agents ?? [])],
            stepCount: steps.length,
            summary: record.outcome ? truncate(record.outcome, 1_000) : undefined,
          }),
        },
        record,
      );
      const outputs = await core.addNodes(
        steps.map((step, i) => ({
          id: `${record.taskId}:step:${i + 1}`,
          type: 'agent_output' as const,
          title: `${step.role} by ${step.agent} (step ${i + 1}${step.success ? '' : ', failed'})`,
          content: truncate(step.output, OUTPUT_LIMIT),
          tags: ['agent_output', step.role, step.agent],
          projectId,
          importance: 0.8,
          metadata: compact({
            taskId: record.taskId,
            agent: step.agent,
            role: step.role,
            step: i + 1,
            success: step.success,
            filesModified: [...(step.filesModified ?? [])],
            errorType: step.error?.kind,
            errorMessage: step.error?.message,
          }),
        })),
        signalOf(record),
      );
      core.store.linkMany(
        outputs.flatMap((output, i) => {
          const next = outputs[i + 1];
          return [
            { sourceId: output.id, targetId: task.id, type: 'produced_by' as const, weight: 1, metadata: {} },
            ...(next ? [{ sourceId: output.id, targetId: next.id, type: 'followed_by' as const, weight: 1, metadata: {} }] : []),
          ];
        }),
      );
      const mistakes: MemoryNode[] = [];
      for (const [i, step] of steps.entries()) {
        if (step.success || step.mistake === false) continue;
        const kind = step.error?.kind ?? 'step_failed';
        const message = step.error?.message ?? truncate(step.output, 500);
        const logged = await logMistake({
          description: `${step.role} step by ${step.agent} failed (${kind}): ${truncate(record.description, 120)}`,
          errorType: kind,
          errorMessage: message,
          severity: record.success ? 'medium' : 'high',
          context: `task ${record.taskId}, workflow ${record.workflow ?? '-'}, step ${i + 1}`,
          projectId,
          taskId: task.id,
          ...signalOf(record),
        });
        const output = outputs[i];
        if (output) core.link(logged.node.id, output.id, 'references');
        mistakes.push(logged.node);
      }
      return { task, outputs, mistakes };
    },

    async storeConversation(record) {
      const transcript = record.messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
      const node = await addOne(
        {
          type: 'conversation',
          title: record.title ?? `Conversation: ${truncate(record.messages[0]?.content ?? record.summary ?? '', 80)}`,
          content: truncate(transcript, 20_000),
          tags: ['conversation', ...(record.agent ? [record.agent] : []), ...(record.tags ?? [])],
          projectId: record.projectId ?? '',
          importance: 1,
          metadata: compact({ summary: record.summary, agent: record.agent, messageCount: record.messages.length, taskId: record.taskId }),
        },
        record,
      );
      linkIfPresent(node.id, record.taskId, 'related_to');
      return node;
    },

    storePattern: (record) =>
      addOne(
        {
          type: 'pattern',
          title: record.name,
          content: [record.description, record.example && `Example:\n${record.example}`].filter(Boolean).join('\n\n'),
          tags: ['pattern', ...(record.patternType ? [record.patternType] : []), ...(record.tags ?? [])],
          projectId: record.projectId ?? '',
          importance: 1 + (record.confidence ?? 0.5),
          metadata: compact({ description: record.description, example: record.example, patternType: record.patternType, confidence: record.confidence ?? 0.5 }),
        },
        record,
      ),

    async storeDecision(record) {
      const node = await addOne(
        {
          type: 'decision',
          title: record.title,
          content: [record.decision, record.rationale && `Rationale: ${record.rationale}`, record.alternatives?.length ? `Alternatives: ${record.alternatives.join('; ')}` : undefined]
            .filter(Boolean)
            .join('\n\n'),
          tags: ['decision', ...(record.tags ?? [])],
          projectId: record.projectId ?? '',
          importance: 1.5,
          metadata: compact({ decision: record.decision, rationale: record.rationale, alternatives: record.alternatives ? [...record.alternatives] : undefined, taskId: record.taskId }),
        },
        record,
      );
      linkIfPresent(node.id, record.taskId, 'related_to');
      return node;
    },

    storeCodeSnippet: (record) =>
      addOne(
        {
          type: 'code_snippet',
          title: record.title,
          content: record.code,
          tags: ['code_snippet', ...(record.language ? [record.language] : []), ...(record.tags ?? [])],
          projectId: record.projectId ?? '',
          importance: 1,
          metadata: compact({ code: record.code, language: record.language, purpose: record.purpose, filePath: record.filePath }),
        },
        record,
      ),

    storePreference: (record) =>
      addOne(
        {
          type: 'preference',
          title: `${record.category}: ${truncate(record.preference, 100)}`,
          content: record.preference,
          tags: ['preference', record.category, ...(record.tags ?? [])],
          projectId: record.projectId ?? '',
          importance: record.importance ?? 2,
          metadata: { category: record.category, preference: record.preference },
        },
        record,
      ),
  };
}

function severityImportance(severity: Severity | undefined): number {
  return SEVERITY_IMPORTANCE[severity ?? 'medium'];
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function stringField(metadata: Metadata, key: string): string {
  const value = metadata[key];
  return typeof value === 'string' ? value : '';
}

function numberField(metadata: Metadata, key: string, fallback: number): number {
  const value = metadata[key];
  return typeof value === 'number' ? value : fallback;
}

/** Drops undefined values so metadata stays plain JSON. */
function compact(fields: Record<string, JsonValue | undefined>): Metadata {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, JsonValue] => entry[1] !== undefined));
}
