/**
 * What a local model is sent. The engine's prompt is the user message; in roles that may edit,
 * a system message asks for whole files in fenced blocks that name their path — the form
 * adapters/local-edits turns into proposed changes.
 */
import { roleMayEdit } from '../../shared/roles.js';
import type { AgentRequest } from '../spec.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

const EDIT_INSTRUCTIONS = [
  'You cannot run tools or edit files directly; you answer in text.',
  'When you create or change a file, give its complete new content in a fenced code block whose',
  'info string names the path relative to the project root, for example:',
  '```ts path=src/example.ts',
  '// full file content',
  '```',
].join('\n');

export function buildChatMessages(request: AgentRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (roleMayEdit(request.role)) messages.push({ role: 'system', content: EDIT_INSTRUCTIONS });
  messages.push({ role: 'user', content: request.prompt });
  return messages;
}

/** The same conversation as one prompt, for completion-style APIs (llama-server /completion). */
export function renderPlainPrompt(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${m.role === 'user' ? 'User' : m.role === 'system' ? 'System' : 'Assistant'}: ${m.content}`).join('\n\n')}\n\nAssistant:`;
}
