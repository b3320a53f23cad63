/**
 * Following a task from a terminal, shared by `run`, `tasks resume`, `tasks watch` and `shell`:
 * the task's events (replayed from the log, then live) through the live renderer; Ctrl+C or
 * SIGTERM cancels the task (through the service, so it works for a task of another process too),
 * a second one leaves at once. The task's own process may be this one or another. A cancelled
 * task ends with the renderer's one final line; until then a terminal's spinner says it is
 * cancelling.
 */
import type { StoredEvent } from '../../events/events.js';
import { routeLogLines } from '../../observability/logger.js';
import type { TaskService } from '../../service/task-service.js';
import type { TaskStatus } from '../../tasks/task-state.js';
import type { CliContext } from '../context.js';
import { createEventRenderer, type EventRenderer } from '../render/event-renderer.js';
import { colorWanted, createStyle } from '../render/style.js';

export const EXIT_CANCELLED = 130;

export interface FollowOptions {
  /** Copy the agents' text through (--stream). */
  readonly stream?: boolean;
  /** Render events after this seq (a resumed task: only the new run). */
  readonly since?: number;
  /** Each event as one JSON line on stdout instead of the renderer (`tasks watch --json`). */
  readonly jsonLines?: boolean;
  /** Ctrl+C cancels the task (run, resume), only stops watching (watch), or is the caller's (shell). */
  readonly interrupt: 'cancel' | 'detach' | 'caller';
  /** Stops following (the caller's own Ctrl+C handling). */
  readonly signal?: AbortSignal;
  /** Receives the live display, so a caller handling Ctrl+C itself can show that it is cancelling. */
  readonly onRenderer?: (display: { readonly cancelling: () => void }) => void;
}

export interface Followed {
  /** The status the task ended in (as its last event says), if it ended while followed. */
  readonly status?: TaskStatus;
  readonly detached: boolean;
  /** The renderer showed the task's end (its final line): the caller need not say it again. */
  readonly endShown: boolean;
}

export function createCliRenderer(context: CliContext, stream: boolean): EventRenderer | undefined {
  if (context.globals.quiet) return undefined;
  const settings = context.config().config.settings;
  return createEventRenderer({
    out: process.stderr,
    style: createStyle(colorWanted(process.stderr, context.env, settings.colored_output)),
    live: Boolean(process.stderr.isTTY),
    stream,
    verbose: Boolean(context.globals.verbose),
    stallWarningMs: settings.stall_warning * 1000,
  });
}

export async function followTask(context: CliContext, service: TaskService, taskId: string, options: FollowOptions): Promise<Followed> {
  const renderer = options.jsonLines ? undefined : createCliRenderer(context, Boolean(options.stream));
  const stopWatching = new AbortController();
  let interrupts = 0;
  let detached = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (options.interrupt === 'detach') {
      renderer?.stop();
      detached = true;
      stopWatching.abort();
      return;
    }
    if (interrupts === 1) {
      renderer?.cancelling();
      void service.cancel(taskId).catch(() => undefined);
      return;
    }
    renderer?.stop();
    // The one line a cancelled task gets, since this exit leaves no time for the final event.
    if (renderer && !renderer.endShown) process.stderr.write(`■ cancelled (${signal === 'SIGINT' ? 'Ctrl+C' : signal} again: exiting at once)\n`);
    // Second signal: record the cancel and leave now; the process module's exit hook kills agent groups.
    try {
      service.abandon(taskId);
    } finally {
      process.exit(EXIT_CANCELLED);
    }
  };
  if (options.interrupt !== 'caller') {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  if (renderer) options.onRenderer?.({ cancelling: () => renderer.cancelling() });
  const signal = options.signal ? AbortSignal.any([options.signal, stopWatching.signal]) : stopWatching.signal;
  let status: TaskStatus | undefined;
  // Warnings logged meanwhile (a fallback, an audit write) become lines of the display, never text on its spinner line.
  if (renderer) routeLogLines((line) => renderer.note(line));
  try {
    for await (const stored of service.watch(taskId, { since: options.since ?? 0, signal })) {
      if (options.jsonLines) process.stdout.write(`${JSON.stringify(jsonLine(stored))}\n`);
      else renderer?.render(stored.event);
      if (stored.event.type === 'task.finished') status = stored.event.status;
    }
  } finally {
    if (renderer) routeLogLines(undefined);
    renderer?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return { ...(status ? { status } : {}), detached, endShown: renderer?.endShown ?? false };
}

function jsonLine(stored: StoredEvent): Record<string, unknown> {
  return { seq: stored.seq, ...stored.event };
}

/** The exit code `run` has for a task that ended in this status. */
export function exitCodeFor(status: TaskStatus | undefined): number {
  return status === 'completed' ? 0 : status === 'cancelled' ? EXIT_CANCELLED : 1;
}
