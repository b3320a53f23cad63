/**
 * Follow-up tasks: the task text the agents get carries the previous task and its result, in the
 * format of the seed's web UI ("Previous task: …\nPrevious result: …\n\nFollow-up: …"). What is
 * stored and shown as the task is what the user typed; the follow-up links to its previous task.
 */

/**
 * At most this many characters of the previous result go into a follow-up: enough for the agent
 * to know what was done, small enough that a long transcript does not crowd out the new request.
 * The cut is marked in the text.
 */
export const PREVIOUS_RESULT_MAX_CHARS = 4_000;

export interface PreviousTask {
  /** What the user typed (not the expanded follow-up text, so context does not nest). */
  readonly task: string;
  readonly result: string;
}

export function followUpTask(previous: PreviousTask, followUp: string): string {
  const result =
    previous.result.length > PREVIOUS_RESULT_MAX_CHARS
      ? `${previous.result.slice(0, PREVIOUS_RESULT_MAX_CHARS)}\n[… ${previous.result.length - PREVIOUS_RESULT_MAX_CHARS} more characters cut]`
      : previous.result;
  return `Previous task: ${previous.task}\nPrevious result: ${result}\n\nFollow-up: ${followUp}`;
}
