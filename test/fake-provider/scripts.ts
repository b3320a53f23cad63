/**
 * Ready-made scripts. Compose them or write your own `(request, history) => Reply`.
 */
import type { ProviderRequest, Reply, Script } from './types.js';

/** Always answers with the same text. */
export function answerText(text: string): Script {
  return () => ({ type: 'text', text });
}

/**
 * The classic agent task: on the first turn (no tool result yet) a tool call that writes `file`
 * with `content`; once the tool result is back, the final `answer`.
 */
export function writeFileThenAnswer(options: { file: string; content: string; answer: string }): Script {
  return (request) =>
    request.toolResults === 0
      ? { type: 'write-file', path: options.file, content: options.content }
      : { type: 'text', text: options.answer };
}

/** Every request fails with this HTTP status and the provider's error body. */
export function failWith(status: number, message = `fake ${status}`): Script {
  return () => ({ type: 'error', status, message });
}

/**
 * Replies in order, one per task turn (side calls do not consume the queue); the last reply
 * repeats once the queue is spent. E.g. a reviewer that lists 5 suggestions, then 1.
 */
export function replyQueue(replies: readonly Reply[]): Script {
  if (replies.length === 0) throw new Error('replyQueue needs at least one reply');
  return (request: ProviderRequest, history: readonly ProviderRequest[]) => {
    const turn = history.filter((r) => !r.sideCall).length;
    void request;
    return replies[Math.min(turn, replies.length - 1)] as Reply;
  };
}
