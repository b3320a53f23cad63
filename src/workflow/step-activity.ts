/**
 * What an agent is doing right now, in one line, from its event stream: the tool it calls (with
 * the file, command or pattern it names) or the file it changes. Shown on the spinner and in the
 * UI, so a long step is visibly working — never the agent's whole output.
 */
import type { AgentEvent } from '../adapters/spec.js';

const MAX_CHARS = 160;
/** Input fields that say best what a tool call is about, in order of preference. */
const SUBJECT_FIELDS = ['file_path', 'path', 'filePath', 'command', 'cmd', 'pattern', 'query', 'url', 'description'];

export function activityOf(event: AgentEvent): string | undefined {
  if (event.type === 'tool-call') {
    const subject = subjectOf(event.input);
    return clip(subject ? `${event.name} ${subject}` : event.name);
  }
  if (event.type === 'file-change') return clip(`${event.kind === 'add' ? 'creating' : event.kind === 'delete' ? 'deleting' : 'editing'} ${event.path}`);
  if (event.type === 'proposed-change') return clip(`proposing ${event.path}`);
  return undefined;
}

function subjectOf(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (input === null || typeof input !== 'object') return undefined;
  const fields = input as Record<string, unknown>;
  for (const name of SUBJECT_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return value.join(' ');
  }
  return undefined;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_CHARS ? `${flat.slice(0, MAX_CHARS - 1)}…` : flat;
}
