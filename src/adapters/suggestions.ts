/**
 * Counts a reviewer's suggestions — the input of the workflow's stop rule. A JSON block
 * (`{"suggestions":[...]}`, which the review template asks for) is trusted first; without one,
 * numbered and bulleted items and severity-tagged lines are counted, as reviewers write them.
 */
import { isObject, listOf } from '../shared/value-checks.js';

const FENCED_JSON = /```(?:json)?\s*\n([\s\S]*?)```/gi;
const ITEM = /^\s*(?:\d+[.)]|[-*\u2022])\s+(.*\S)\s*$/;
const SEVERITY = /\b(critical|high|medium|low)\s*:/i;

export function extractSuggestions(output: string): string[] {
  return fromJson(output) ?? fromText(output);
}

function fromJson(output: string): string[] | undefined {
  const candidates: string[] = [];
  for (const match of output.matchAll(FENCED_JSON)) if (match[1]) candidates.push(match[1]);
  const trimmed = output.trim();
  if (trimmed.startsWith('{')) candidates.push(trimmed);
  // The last block wins: reviewers put the summary at the end.
  for (const candidate of candidates.reverse()) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const suggestions = isObject(value) ? listOf(value['suggestions'], suggestionText) : undefined;
    if (suggestions) return suggestions;
  }
  return undefined;
}

/**
 * One suggestion of a JSON block: a string, or an object whose `title`, `description` or `text`
 * (each a string when present) says it — the whole object as JSON when none does. Anything else
 * makes the block unreadable. Checked by hand: every step's output is read here.
 */
function suggestionText(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (!isObject(item)) return undefined;
  const fields = [item['title'], item['description'], item['text']];
  if (fields.some((field) => field !== undefined && typeof field !== 'string')) return undefined;
  return fields.find((field): field is string => typeof field === 'string') ?? JSON.stringify(item);
}

function fromText(output: string): string[] {
  const found: string[] = [];
  let inFence = false;
  for (const line of output.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const item = ITEM.exec(line);
    if (item?.[1]) found.push(item[1]);
    else if (SEVERITY.test(line)) found.push(line.trim());
  }
  return found;
}
