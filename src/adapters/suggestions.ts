/**
 * Counts a reviewer's suggestions — the input of the workflow's stop rule. A JSON block
 * (`{"suggestions":[...]}`, which the review template asks for) is trusted first; without one,
 * numbered and bulleted items and severity-tagged lines are counted, as reviewers write them.
 */
import { z } from 'zod';

const suggestionItem = z.union([
  z.string(),
  z.looseObject({ title: z.string().optional(), description: z.string().optional(), text: z.string().optional() }),
]);
const suggestionsBlock = z.looseObject({ suggestions: z.array(suggestionItem) });

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
    const parsed = suggestionsBlock.safeParse(value);
    if (parsed.success) {
      return parsed.data.suggestions.map((item) =>
        typeof item === 'string' ? item : (item.title ?? item.description ?? item.text ?? JSON.stringify(item)),
      );
    }
  }
  return undefined;
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
