/**
 * The `shell` loop: reads lines (node:readline, prompt `aio> ` on stderr), runs plain lines as
 * tasks through the task service, keeps the last completed task as follow-up context and
 * answers slash commands. One task at a time: lines typed or piped while a task runs wait their
 * turn. Ctrl+C cancels the running task (its AbortSignal, as in `run`); at the prompt, a second
 * Ctrl+C within 2 s (or Ctrl+D, or /exit) leaves. A failing task never ends the shell.
 *
 * Exit code: 0, or 1 when the last task run did not complete (failed, cancelled or refused), so a
 * piped session (`printf 'a\nb\n' | ai-orchestrator shell`) can be checked by scripts.
 */
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { errorMessage } from '../../shared/errors.js';
import type { TaskResult } from '../../service/task-service.js';
import type { ShellHistory } from './shell-history.js';
import { SLASH_HELP, parseSlashCommand } from './slash-commands.js';

const PROMPT = 'aio> ';
const EXIT_WINDOW_MS = 2_000;

/** One task as the shell runs it: submitted (as a follow-up of `followUpOf`), followed live, to its end. */
export interface ShellTaskRequest {
  readonly task: string;
  readonly workflow: string;
  readonly followUpOf?: string;
  /** Aborted by Ctrl+C: the task is cancelled. */
  readonly signal: AbortSignal;
  readonly onTaskCreated: (taskId: string) => void;
  /** The live display, told when a Ctrl+C starts cancelling. */
  readonly onRenderer: (display: { readonly cancelling: () => void }) => void;
}

/** How a task the shell ran ended, and whether the live display already said so. */
export interface ShellTaskOutcome {
  readonly result: TaskResult;
  readonly endShown: boolean;
}

export interface ShellSessionOptions {
  /** Runs one task to its end; throws OrchestratorError for bad input. */
  readonly runTask: (request: ShellTaskRequest) => Promise<ShellTaskOutcome>;
  readonly workflow: string;
  /** Names `/workflow` accepts. */
  readonly workflowNames: readonly string[];
  readonly input: Readable;
  /** Prompt, notices and errors. */
  readonly err: Writable;
  /** Task output. */
  readonly print: (line: string) => void;
  readonly terminal: boolean;
  readonly history?: ShellHistory;
  /** Runs an existing subcommand (`agents`, `workflows`, `tasks show ID`) with the shell's global options. */
  readonly runCommand: (args: readonly string[]) => Promise<void>;
}

interface SessionTask {
  readonly id: string;
  readonly task: string;
  status: string;
}

export async function runShellSession(options: ShellSessionOptions): Promise<number> {
  const { err, print } = options;
  let workflow = options.workflow;
  /** The last completed task: the next line is its follow-up. */
  let previous: string | undefined;
  let lastTaskOk = true;
  const tasks: SessionTask[] = [];
  let running: { controller: AbortController; display?: { readonly cancelling: () => void } } | undefined;
  let lastIdleInterrupt = 0;

  const rl = readline.createInterface({
    input: options.input,
    output: err,
    terminal: options.terminal,
    prompt: PROMPT,
    historySize: 500,
    ...(options.history ? { history: [...options.history.lines].reverse() } : {}),
  });
  let closed = false;
  rl.on('close', () => (closed = true));
  const prompt = (): void => {
    if (!closed) rl.prompt();
  };
  const note = (text: string): void => {
    err.write(`${text}\n`);
  };

  const interrupt = (): void => {
    if (running) {
      if (!running.controller.signal.aborted) {
        // The display says it is cancelling; the task's end is then its one final line.
        running.display?.cancelling();
        running.controller.abort();
      }
      return;
    }
    const now = Date.now();
    if (now - lastIdleInterrupt < EXIT_WINDOW_MS) {
      rl.close();
      return;
    }
    lastIdleInterrupt = now;
    if (options.terminal) rl.write(null, { ctrl: true, name: 'u' });
    note('\n(to exit, press Ctrl+C again, Ctrl+D, or type /exit)');
    prompt();
  };
  rl.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);

  async function runTask(line: string): Promise<void> {
    const controller = new AbortController();
    running = { controller };
    const current = running;
    let outcome: TaskResult;
    let endShown: boolean;
    try {
      ({ result: outcome, endShown } = await options.runTask({
        task: line,
        workflow,
        ...(previous ? { followUpOf: previous } : {}),
        signal: controller.signal,
        onTaskCreated: (id) => tasks.push({ id, task: line, status: 'in_progress' }),
        onRenderer: (display) => (current.display = display),
      }));
    } catch (error) {
      lastTaskOk = false;
      note(`error: ${errorMessage(error)}`);
      return;
    } finally {
      running = undefined;
    }
    const entry = tasks.find((t) => t.id === outcome.taskId);
    if (entry) entry.status = outcome.status;
    lastTaskOk = outcome.status === 'completed';
    if (outcome.status === 'completed') {
      if (outcome.finalOutput) print(outcome.finalOutput);
      previous = outcome.taskId;
    } else if (!endShown) note(`task ${outcome.taskId.slice(0, 8)} ${outcome.status}: ${outcome.reason}`);
  }

  async function slash(line: string): Promise<boolean> {
    const command = parseSlashCommand(line);
    switch (command.kind) {
      case 'help':
        for (const [name, text] of SLASH_HELP) note(`  ${name.padEnd(18)}${text}`);
        note('  anything else runs as a task; after a task, the next one is a follow-up of it');
        return true;
      case 'workflow':
        if (command.name === undefined) note(`workflow: ${workflow}`);
        else if (!options.workflowNames.includes(command.name)) {
          note(`error: unknown workflow "${command.name}" (known: ${options.workflowNames.join(', ')})`);
        } else {
          workflow = command.name;
          note(`workflow: ${workflow}`);
        }
        return true;
      case 'workflows':
        await options.runCommand(['workflows']);
        return true;
      case 'agents':
        await options.runCommand(['agents']);
        return true;
      case 'show':
        await options.runCommand(['tasks', 'show', command.id]);
        return true;
      case 'history':
        if (tasks.length === 0) note('no tasks in this session');
        for (const t of tasks) print(`${t.id.slice(0, 8)}  ${t.status.padEnd(11)}  ${oneLine(t.task, 60)}`);
        return true;
      case 'new':
        previous = undefined;
        note('new conversation: the next task starts fresh');
        return true;
      case 'exit':
        return false;
      case 'error':
        note(`error: ${command.message}`);
        return true;
    }
  }

  try {
    prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      if (line !== '') {
        options.history?.add(line);
        try {
          if (line.startsWith('/')) {
            if (!(await slash(line))) break;
          } else {
            await runTask(line);
          }
        } catch (error) {
          note(`error: ${errorMessage(error)}`);
        }
      }
      prompt();
    }
  } finally {
    process.off('SIGINT', interrupt);
    rl.close();
  }
  if (options.terminal) err.write('\n');
  return lastTaskOk ? 0 : 1;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
