/**
 * What one step hands to the next (seed §4): always the previous output and agent; a review adds
 * its feedback and suggestions; an implementation adds its answer and the files it changed; tool
 * calls its CLI refused are named, since the agent's own summary may claim they happened. The
 * context carries over between iterations, so iteration 2's implementer sees iteration 1's review.
 */
import type { StepRecord } from '../events/events.js';
import type { Role } from '../shared/roles.js';
import { renderTemplate, type TemplateSet } from './templates.js';

export interface PromptContext {
  readonly previousOutput?: string;
  readonly previousAgent?: string;
  readonly feedback?: string;
  readonly reviewer?: string;
  readonly suggestions: readonly string[];
  readonly implementation?: string;
  readonly implementer?: string;
  readonly files: readonly string[];
  /** Tool calls the previous step's CLI refused, one line each. */
  readonly refusals: readonly string[];
}

export const EMPTY_CONTEXT: PromptContext = { suggestions: [], files: [], refusals: [] };

/** The context after a successful step. Failed steps do not change it. */
export function updateContext(context: PromptContext, step: StepRecord): PromptContext {
  if (!step.success) return context;
  // Refusals belong to the step that had them: the next prompt names them, later ones do not.
  const refusals = (step.refusals ?? []).map((r) => `- ${r.tool}${r.target !== undefined ? ` ${r.target}` : ''}: ${r.reason}`);
  let next: PromptContext = { ...context, previousOutput: step.output, previousAgent: step.agent, refusals };
  if (step.role === 'review') {
    next = { ...next, feedback: step.output, reviewer: step.agent, suggestions: step.suggestions };
  }
  if (step.role === 'implement') {
    next = { ...next, implementation: step.output, implementer: step.agent, files: step.filesModified };
  } else if (step.filesModified.length > 0) {
    next = { ...next, files: [...new Set([...next.files, ...step.filesModified])].sort() };
  }
  return next;
}

export interface PromptInput {
  readonly task: string;
  readonly role: Role;
  readonly agent: string;
  readonly description: string;
  readonly iteration: number;
  readonly maxIterations: number;
  readonly cwd: string;
  /** The memory block for this task ('' when memory is off or found nothing). */
  readonly memory: string;
}

/** Longest text carried into a prompt from an earlier step; the middle of longer ones is cut. */
export const MAX_CARRIED_CHARS = 24_000;

export function buildPrompt(templates: TemplateSet, input: PromptInput, context: PromptContext): string {
  return renderTemplate(templates[input.role], {
    task: input.task,
    description: input.description,
    role: input.role,
    agent: input.agent,
    iteration: String(input.iteration),
    max_iterations: String(input.maxIterations),
    cwd: input.cwd,
    memory: clip(input.memory),
    previous_output: clip(context.previousOutput),
    previous_agent: context.previousAgent,
    feedback: clip(context.feedback),
    reviewer: context.reviewer,
    suggestions: context.suggestions.map((s, i) => `${i + 1}. ${s}`).join('\n'),
    implementation: clip(context.implementation),
    implementer: context.implementer,
    files: context.files.join(', '),
    refusals: context.refusals.join('\n'),
  });
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= MAX_CARRIED_CHARS) return text;
  const half = Math.floor(MAX_CARRIED_CHARS / 2);
  return `${text.slice(0, half)}\n[… ${text.length - 2 * half} characters omitted …]\n${text.slice(-half)}`;
}
