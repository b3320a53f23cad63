/**
 * Live progress of a task on stderr, from the engine's events. On a TTY: a spinner on the
 * running step (with what the agent is doing), then one coloured line per finished step. Elsewhere:
 * plain lines (step start and end), good for logs and CI. With `stream`, the agents' text is
 * copied through as it arrives (the spinner is then off, so the two never interleave). A
 * cancelled task ends with one line: the cut-off step and iteration say nothing of their own.
 */
import type { EventOf, OrchestratorBus, OrchestratorEvent, PlanSummary } from '../../events/events.js';
import { formatDuration, formatTokens, oneLine, plural } from './format.js';
import type { Style } from './style.js';
import { createProposals, finalLine } from './task-end.js';
import { createTerminalLines, type RenderTarget } from './terminal-lines.js';

export type { RenderTarget } from './terminal-lines.js';

export interface EventRendererOptions {
  readonly out: RenderTarget;
  readonly style: Style;
  /** Spinner and line rewriting (TTY only). */
  readonly live: boolean;
  /** Copy agents' text output through. */
  readonly stream: boolean;
  /** Show the agents' stderr lines (--verbose). */
  readonly verbose?: boolean;
  /** After this long without output from a running step, say so (settings.stall_warning). */
  readonly stallWarningMs?: number;
}

export interface EventRenderer {
  readonly render: (event: OrchestratorEvent) => void;
  /**
   * A cancel was asked for (Ctrl+C): on a terminal the spinner says so until the task's one
   * final line; off a terminal nothing, the final line is the answer.
   */
  cancelling(): void;
  /** Whether the task's end was shown (its final line). */
  readonly endShown: boolean;
  /** A line from elsewhere (a log warning), written as a line of its own above the spinner. */
  note(text: string): void;
  /** Stops the spinner and clears its line. */
  stop(): void;
}

export function createEventRenderer(options: EventRendererOptions): EventRenderer {
  const { style } = options;
  const live = options.live && !options.stream;
  const out = createTerminalLines(options.out, style, live);
  const line = (text: string): void => out.line(text);
  let maxIterations = 1;
  let cancelling = false;
  let endShown = false;

  // A step that prints nothing for a long time says so: a silent hour-long timeout is no way to learn it hangs.
  const stallMs = options.stallWarningMs ?? 120_000;
  let lastOutputAt = 0;
  let stallTimer: NodeJS.Timeout | undefined;
  let stallAgent = '';
  let stallNoted = false;
  const stopStallWatch = (): void => {
    if (stallTimer) clearInterval(stallTimer);
    stallTimer = undefined;
  };
  const checkStall = (): void => {
    const silent = Date.now() - lastOutputAt;
    if (silent < stallMs || cancelling) return;
    if (live) {
      out.activity(`no output for ${formatDuration(silent)}`);
    } else if (!stallNoted) {
      stallNoted = true;
      line(style.paint('yellow', `  … ${stallAgent} has printed nothing for ${formatDuration(silent)} (still running; Ctrl+C cancels)`));
    }
  };
  const heardFrom = (timestamp: string): void => {
    lastOutputAt = Math.max(lastOutputAt, Date.parse(timestamp) || Date.now());
    stallNoted = false;
  };

  const where = (iteration: number, index: number, stepCount: number): string =>
    style.paint('gray', `[${iteration}/${maxIterations} · ${index + 1}/${stepCount}]`);

  let stepCount = 1;
  let started = false;
  const unpriced = new Set<string>();
  const proposals = createProposals();
  const handlers: { [K in OrchestratorEvent['type']]: (event: EventOf<K>) => void } = {
    'task.created': () => undefined,
    'task.queued': (event) => {
      line(
        style.paint(
          'yellow',
          event.reason === 'capacity'
            ? '… queued: this process already runs settings.max_parallel_tasks tasks; it starts when one ends'
            : `… queued: waiting for task ${event.waitingFor.slice(0, 8)}, which is running in ${event.cwd}`,
        ),
      );
    },
    'task.planned': (event) => {
      for (const text of planLines(event.plan)) line(style.paint('gray', text));
    },
    'task.assigned': (event) => {
      line(style.paint('gray', `  · taken by worker ${event.worker} on ${event.host}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`));
    },
    'task.takeover': (event) => {
      const from = event.previousWorker ? ` from ${event.previousWorker}` : '';
      const tree = event.checkpoint ? `tree restored from checkpoint ${event.checkpoint.slice(0, 10)}` : 'tree from the base commit';
      line(
        style.paint(
          'yellow',
          `↻ taken over${from} by worker ${event.worker} on ${event.host}: continues at iteration ${event.iteration}, step ${event.index + 1} · ${plural(event.keptSteps, 'step')} kept · ${tree}`,
        ),
      );
    },
    'task.resumed': (event) => {
      started = true;
      maxIterations = event.maxIterations;
      line(
        `${style.paint('bold', '↻')} task ${event.taskId.slice(0, 8)} resumed (was ${event.previousStatus}) at iteration ${event.iteration}, step ${event.index + 1} · ${plural(event.keptSteps, 'step')} kept`,
      );
    },
    'agent.started': () => undefined,
    'agent.retrying': (event) => {
      const delay = (event.delayMs / 1000).toFixed(1);
      line(style.paint('yellow', `  ↻ ${event.agent}: ${event.error.kind} (${oneLine(event.error.message, 160)}); retry ${event.attempt + 1}/${event.maxAttempts} in ${delay} s`));
    },
    'circuit.changed': (event) => {
      const until = event.openUntil ? ` until ${event.openUntil.slice(11, 19)}` : '';
      line(style.paint('yellow', `  ! ${event.agent}: circuit ${event.from} → ${event.to}${until}`));
    },
    'step.activity': (event) => {
      heardFrom(event.timestamp);
      if (!cancelling) out.activity(event.activity);
    },
    'agent.stderr': (event) => {
      if (options.verbose) line(style.paint('gray', `  [${event.agent}] ${event.line}`));
    },
    'workspace.notice': (event) => {
      line(style.paint('gray', `  · ${event.message}`));
    },
    'workspace.result': (event) => {
      if (event.delivery === 'pushed') line(style.paint('gray', `  · changes pushed to ${event.repo} as ${event.branch} (${event.commit?.slice(0, 10) ?? ''})`));
      else if (event.delivery === 'bundle') line(style.paint('yellow', `  · changes kept as a git bundle with the task (${event.reason ?? 'not pushed'}); \`tasks apply\` brings them in`));
      else line(style.paint('gray', '  · the task changed nothing'));
    },
    'workspace.checkpoint': (event) => {
      if (options.verbose) line(style.paint('gray', `  checkpoint ${event.commit.slice(0, 10)} (${event.ref})`));
    },
    'task.started': (event) => {
      started = true;
      maxIterations = event.maxIterations;
      stepCount = Math.max(1, event.steps.length);
      const steps = event.steps.map((s) => `${s.agent} ${s.role}`).join(' → ');
      line(`${style.paint('bold', '▶')} task ${event.taskId.slice(0, 8)} · workflow ${style.paint('bold', event.workflow)} (${steps}) · up to ${plural(event.maxIterations, 'iteration')}`);
      for (const skipped of event.skipped) {
        line(style.paint('yellow', `  ! skipped ${skipped.agent} ${skipped.role}: ${skipped.reason}`));
      }
    },
    'step.started': (event) => {
      const via = event.fallbackFrom
        ? style.paint('yellow', ` (fallback for ${event.fallbackFrom}: ${event.primaryError?.kind ?? 'failed'})`)
        : '';
      stepCount = event.stepCount;
      stallAgent = event.agent;
      lastOutputAt = 0;
      heardFrom(event.timestamp);
      stopStallWatch();
      stallTimer = setInterval(checkStall, Math.min(1000, stallMs));
      stallTimer.unref();
      const text = `${where(event.iteration, event.index, event.stepCount)} ${style.paint('bold', event.agent)} ${event.role}${via}`;
      if (cancelling) return;
      if (live) out.spin(text);
      else line(`${text} …`);
    },
    'step.output': (event) => {
      heardFrom(event.timestamp);
      const e = event.event;
      // Shown always, not only with --stream: the agent's own summary may claim the opposite.
      if (e.type === 'refusal') {
        const target = e.target !== undefined ? ` ${e.target}` : '';
        line(style.paint('yellow', `  ⊘ refused: ${e.tool}${target} — ${oneLine(e.reason, 200)}`));
        return;
      }
      if (!options.stream) return;
      if (e.type === 'text-delta' || e.type === 'text') {
        out.raw(style.paint('dim', e.type === 'text' ? `${e.text}\n` : e.text));
      } else if (e.type === 'tool-call') {
        line(style.paint('gray', `  ↳ ${e.name}`));
      } else if (e.type === 'file-change') {
        line(style.paint('gray', `  ↳ ${e.kind} ${e.path}`));
      }
    },
    'step.finished': (event) => {
      stopStallWatch();
      const step = event.step;
      if (step.usage.costUsd === undefined && step.usage.inputTokens + step.usage.outputTokens > 0) unpriced.add(step.agent);
      proposals.add(step);
      if (!cancelling) out.stopSpinner();
      // Cut off by a cancel: the task's final line says it.
      if (step.error?.kind === 'cancelled') return;
      const mark = step.success ? style.paint('green', '✓') : style.paint('red', '✗');
      const details = [formatDuration(step.durationMs)];
      // A failed review has no count to show: "0 suggestions" would read as a clean review.
      if (step.success && (step.role === 'review' || step.role === 'suggestions')) details.push(plural(step.suggestions.length, 'suggestion'));
      if (step.filesModified.length > 0) details.push(plural(step.filesModified.length, 'file'));
      if (step.usage.inputTokens + step.usage.outputTokens > 0) details.push(formatTokens(step.usage));
      const via = step.fallbackFrom ? style.paint('yellow', ` (fallback for ${step.fallbackFrom})`) : '';
      const refused = step.refusals?.length ? style.paint('yellow', `, ${plural(step.refusals.length, 'tool call')} refused`) : '';
      line(`${mark} ${where(step.iteration, step.index, stepCount)} ${style.paint('bold', step.agent)} ${step.role}${via} ${style.paint('gray', details.join(', '))}${refused}`);
      if (step.error) line(style.paint('red', `  ${step.error.kind}: ${oneLine(step.error.message, 300)}`));
      if (step.error?.fix) line(style.paint('yellow', `  fix: ${step.error.fix}`));
    },
    'iteration.finished': (event) => {
      const it = event.iteration;
      if (it.stop?.reason === 'cancelled') return;
      const reviews = it.reviews.length > 0 ? plural(it.suggestionCount, 'suggestion') : 'no review';
      const next = it.stop ? `stop: ${it.stop.reason}` : 'next iteration';
      line(style.paint('gray', `  iteration ${it.iteration}: ${reviews}, ${plural(it.filesChanged.length, 'file')} changed, ${formatTokens(it.usage)} → ${next}`));
    },
    'task.finished': (event) => {
      stopStallWatch();
      out.stopSpinner();
      // A task that failed before it started (its plan could not be made) is the caller's one
      // error line, not a run that ended.
      if (!started && event.status === 'failed') return;
      if (event.status !== 'cancelled') for (const text of proposals.lines(event.taskId, style)) line(text);
      line(finalLine(event, unpriced, style));
      endShown = true;
    },
  };

  const render = (event: OrchestratorEvent): void => {
    (handlers[event.type] as (e: OrchestratorEvent) => void)(event);
  };
  return {
    render,
    cancelling: () => {
      if (cancelling || endShown) return;
      cancelling = true;
      out.spin(style.paint('yellow', 'cancelling the task (Ctrl+C again to exit at once)'));
    },
    get endShown() {
      return endShown;
    },
    note: (text) => out.line(text),
    stop: () => {
      stopStallWatch();
      out.stopSpinner();
    },
  };
}

/** Subscribes a renderer to a bus; returns the unsubscribe. */
export function renderBus(bus: OrchestratorBus, renderer: EventRenderer, options: { signal?: AbortSignal } = {}): () => void {
  return bus.subscribeAll(renderer.render, options);
}

/** A dynamic plan as shown before it runs: who planned it, its steps, what was left out. */
function planLines(plan: PlanSummary): string[] {
  const origin = plan.origin;
  if (!origin || origin.source === 'workflow') return [];
  return [
    origin.source === 'planner'
      ? `plan by ${origin.planner ?? 'the planner'}:`
      : `fallback plan (implement → review)${origin.planner ? `, planner ${origin.planner}` : ''}:`,
    ...plan.steps.map((s, i) => `  ${i + 1}. ${s.agent} ${s.role}${s.description ? ` — ${s.description}` : ''}`),
    ...origin.excluded.map((x) => `  excluded ${x.agent}: ${x.reason}`),
    ...origin.notes.map((note) => `  note: ${note}`),
  ];
}
