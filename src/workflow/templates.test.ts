import { describe, expect, it } from 'vitest';
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
