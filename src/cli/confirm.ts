/**
 * Confirmation before a destructive command: asked on a terminal (`--yes` skips the question);
 * off a terminal — a script, a pipe, CI — there is nobody to ask, so without `--yes` the command
 * refuses rather than guessing.
 */
import { OrchestratorError } from '../shared/errors.js';

export interface ConfirmOptions {
  /** `--yes` was given. */
  readonly yes?: boolean;
  readonly input?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly output?: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

/**
 * True when the user agreed (or passed --yes), false when they declined. Throws INVALID_INPUT
 * off a terminal without --yes; `what` names the action in that message ("delete project X").
 */
export async function confirmDestructive(question: string, what: string, options: ConfirmOptions = {}): Promise<boolean> {
  if (options.yes) return true;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (!input.isTTY || !output.isTTY) {
    throw new OrchestratorError('INVALID_INPUT', `not asking to ${what} without a terminal: pass --yes to confirm`);
  }
  // Loaded here: every command's start would otherwise load readline for a question rarely asked.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input, output, terminal: true });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
