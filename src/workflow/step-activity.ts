/**
 * What an agent is doing right now, in one line, from its event stream: the tool it calls (with
 * the file, command or pattern it names) or the file it changes. Shown on the spinner and in the
 * UI, so a long step is visibly working — never the agent's whole output.
 */
import path from 'node:path';
import type { AgentEvent } from '../adapters/spec.js';

const MAX_CHARS = 160;
/** Input fields that say best what a tool call is about, in order of preference. */
const SUBJECT_FIELDS = ['file_path', 'path', 'filePath', 'command', 'cmd', 'pattern', 'query', 'url', 'description'];

/** The activity an event shows, if any; paths inside `cwd` are shown relative to it. */
export function activityOf(event: AgentEvent, cwd: string): string | undefined {
  const local = (text: string): string => text.split(`${cwd}${path.sep}`).join('');
  if (event.type === 'tool-call') {
    const subject = subjectOf(event.input);
    return clip(local(subject ? `${event.name} ${subject}` : event.name));
  }
  if (event.type === 'file-change') return clip(local(`${event.kind === 'add' ? 'creating' : event.kind === 'delete' ? 'deleting' : 'editing'} ${event.path}`));
  if (event.type === 'proposed-change') return clip(local(`proposing ${event.path}`));
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
