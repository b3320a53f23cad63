/**
 * Prompt templates per role, as data. `settings.templates.<role>` in the config replaces the
 * built-in text of that role. A template uses `{name}` for a value and
 * `{{#name}}…{{/name}}` for a section shown only when the value is not empty, so one template
 * serves the first iteration (no feedback yet) and the later ones.
 *
 * Values: task, description (the step's), role, agent, iteration, max_iterations, cwd,
 * previous_output, previous_agent, feedback, reviewer, suggestions (numbered list),
 * implementation, implementer, files (comma-separated), memory (context from earlier tasks),
 * refusals (tool calls the previous step's CLI refused, one per line).
 */
import type { Role } from '../shared/roles.js';

export type TemplateSet = Readonly<Record<Role, string>>;

const REFUSALS = `{{#refusals}}

Tool calls of the previous step ({previous_agent}) were refused by its CLI, so what they would have done did not happen, whatever its summary says:
{refusals}
{{/refusals}}`;

const MEMORY = `{{#memory}}

Context from earlier work on this project:
{memory}
{{/memory}}`;

export const DEFAULT_TEMPLATES: TemplateSet = {
  implement: `Implement the following: {task}
${MEMORY}{{#feedback}}

This is iteration {iteration} of {max_iterations}. The last review{{#reviewer}} (by {reviewer}){{/reviewer}} asked for these changes; address them:
{feedback}
{{/feedback}}${REFUSALS}

Work in the current directory: create or edit the files the task needs. End with a short summary of what you changed.`,

  review: `Review the implementation of: {task}
${MEMORY}{{#implementation}}

The implementer{{#implementer}} ({implementer}){{/implementer}} reported:
{implementation}
{{/implementation}}{{#files}}

Files changed: {files}
{{/files}}${REFUSALS}

Inspect the files in the current directory; do not modify them. List each concrete problem or needed improvement as a numbered item, most important first. If nothing needs to change, say so and list nothing.
End your answer with a JSON block listing the same suggestions, one short line each (an empty list when nothing needs to change):
\`\`\`json
{"suggestions": ["..."]}
\`\`\``,

  refine: `Refine the implementation based on review feedback for: {task}
${MEMORY}{{#feedback}}

Review feedback{{#reviewer}} from {reviewer}{{/reviewer}}:
{feedback}
{{/feedback}}{{#files}}

Files changed so far: {files}
{{/files}}${REFUSALS}

Edit the files in the current directory to address the feedback. End with a short summary of what you changed.`,

  test: `Write tests for: {task}
${MEMORY}{{#files}}

Files changed so far: {files}
{{/files}}{{#previous_output}}

Latest output ({previous_agent}):
{previous_output}
{{/previous_output}}

Put the tests in the current directory, following the project's conventions, and run them if you can.`,

  document: `Document the implementation of: {task}
${MEMORY}{{#files}}

Files changed so far: {files}
{{/files}}{{#previous_output}}

Latest output ({previous_agent}):
{previous_output}
{{/previous_output}}

Write or update the documentation in the current directory.`,

  suggestions: `Suggest improvements for: {task}
${MEMORY}{{#previous_output}}

Latest output ({previous_agent}):
{previous_output}
{{/previous_output}}

List each suggestion as a numbered item.`,

  plan: `Plan the work for: {task}
${MEMORY}
Break it into concrete steps, one numbered item each.`,

  raw: '{task}',
};

/** The built-in templates with the configured overrides applied. */
export function resolveTemplates(overrides: Readonly<Partial<Record<Role, string | undefined>>> = {}): TemplateSet {
  const merged: Record<Role, string> = { ...DEFAULT_TEMPLATES };
  for (const [role, text] of Object.entries(overrides) as [Role, string | undefined][]) {
    if (text !== undefined && text.trim() !== '') merged[role] = text;
  }
  return merged;
}

export type TemplateValues = Readonly<Record<string, string | undefined>>;

const SECTION = /\{\{#([a-z_]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;
const VALUE = /\{([a-z_]+)\}/g;

/**
 * Fills a template. Sections whose value is empty disappear; unknown `{names}` are left as
 * written (a prompt may legitimately contain braces, e.g. a JSON example).
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  const present = (name: string): boolean => (values[name] ?? '').trim() !== '';
  let text = template;
  // Sections may nest one level inside another; two passes cover what the templates use.
  for (let pass = 0; pass < 2; pass++) {
    text = text.replace(SECTION, (_, name: string, body: string) => (present(name) ? body : ''));
  }
  return text
    .replace(VALUE, (match, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? '') : match))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
