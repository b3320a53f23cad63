import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../events/events.js';
import { EMPTY_CONTEXT, buildPrompt, updateContext } from './prompt-context.js';
import { DEFAULT_TEMPLATES, renderTemplate, resolveTemplates } from './templates.js';

describe('prompt templates', () => {
  it('drops a section whose value is empty and keeps it when set', () => {
    const template = 'Do {task}{{#feedback}}\nFix: {feedback}{{/feedback}}';
    expect(renderTemplate(template, { task: 'x', feedback: '' })).toBe('Do x');
    expect(renderTemplate(template, { task: 'x', feedback: '1. y' })).toBe('Do x\nFix: 1. y');
  });

  it('leaves unknown braces alone and does not expand braces inside values', () => {
    expect(renderTemplate('{"suggestions": []} {unknown} {task}', { task: 'use {feedback}', feedback: 'no' })).toBe(
      '{"suggestions": []} {unknown} use {feedback}',
    );
  });

  it('asks the reviewer for a trailing JSON suggestions block', () => {
    const prompt = renderTemplate(DEFAULT_TEMPLATES.review, { task: 'build it' });
    expect(prompt.startsWith('Review the implementation of: build it')).toBe(true);
    expect(prompt).toMatch(/```json\n\{"suggestions": \["\.\.\."\]\}\n```$/);
  });

  it('replaces only the roles the config overrides; blank overrides keep the default', () => {
    const templates = resolveTemplates({ review: 'R {task}', refine: '  ' });
    expect(templates.review).toBe('R {task}');
    expect(templates.refine).toBe(DEFAULT_TEMPLATES.refine);
    expect(templates.raw).toBe('{task}');
  });
});

describe('refused tool calls in the next prompt', () => {
  const refused: StepRecord = {
    iteration: 1, index: 0, agent: 'claude', role: 'implement', success: true, output: 'done: wrote refined.txt',
    suggestions: [], filesModified: [], durationMs: 1, usage: { inputTokens: 1, outputTokens: 1 },
    startedAt: '', finishedAt: '',
    refusals: [{ tool: 'Write', target: '/elsewhere/refined.txt', reason: "Claude requested permissions to write to /elsewhere/refined.txt, but you haven't granted it yet." }],
  };
  const input = { task: 'write refined.txt', agent: 'codex', description: '', iteration: 1, maxIterations: 2, cwd: '/w', memory: '' };

  it('names them in the review and refine prompts that follow the step', () => {
    const context = updateContext(EMPTY_CONTEXT, refused);
    for (const role of ['review', 'refine'] as const) {
      const prompt = buildPrompt(DEFAULT_TEMPLATES, { ...input, role }, context);
      expect(prompt).toContain('Tool calls of the previous step (claude) were refused by its CLI');
      expect(prompt).toContain("- Write /elsewhere/refined.txt: Claude requested permissions to write to /elsewhere/refined.txt, but you haven't granted it yet.");
    }
  });

  it('drops them once a later step ran without any', () => {
    const context = updateContext(updateContext(EMPTY_CONTEXT, refused), { ...refused, index: 1, role: 'review', refusals: undefined });
    expect(buildPrompt(DEFAULT_TEMPLATES, { ...input, role: 'refine' }, context)).not.toContain('were refused');
  });
});
