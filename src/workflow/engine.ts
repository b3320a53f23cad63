/**
 * The workflow engine: runs a plan's steps in order, iteration after iteration, until the stop
 * rule says the review converged (or the iterations run out, a step fails, the user cancels, the
 * budget guard refuses). It knows nothing of terminals or databases: everything it does is
 * published as OrchestratorEvents on the bus it is given, and its collaborators are injected —
 * the agent resolver (where resilience middleware plugs in), the budget guard. A run can start
 * from a resume point (the steps kept from an earlier run of the same task): the prompt context
 * and the stop rule's history are rebuilt from those steps, so the result reads as one run.
 */
import type { TreeSnapshots } from '../adapters/files-changed.js';
import { runAgent } from '../adapters/run-agent.js';
import type { AgentError, AgentEvent, AgentResult, Usage } from '../adapters/spec.js';
import type {
  IterationRecord,
  OrchestratorBus,
  StepRecord,
  StopDecision,
  StopReason,
  TaskStatus,
} from '../events/events.js';
import type { Logger } from '../observability/logger.js';
import type { OfflineDetector } from '../resilience/offline-detector.js';
import { createRedactor, type Redactor } from '../security/redact.js';
import { errorMessage } from '../shared/errors.js';
import type { AgentResolver } from './agents.js';
import { chainSnapshots, type DetectChanges } from './change-tracker.js';
import { shouldFallBack } from './fallback.js';
import type { Plan, PlannedStep } from './plan.js';
import { EMPTY_CONTEXT, buildPrompt, updateContext, type PromptContext } from './prompt-context.js';
import { createStderrLines } from './stderr-lines.js';
import { activityOf } from './step-activity.js';
import { decideStop, type IterationFigures } from './stop-rule.js';
import { DEFAULT_TEMPLATES, type TemplateSet } from './templates.js';

/** Memory hook: a prompt block of relevant earlier work in, the finished task out. */
export interface EngineMemory {
  getRelevantContext(task: string, options: { readonly projectId?: string; readonly tokenBudget: number }): string | Promise<string>;
  recordTask(task: FinishedTask): void | Promise<void>;
}

/** Where a resumed run continues, and what the earlier run left. */
export interface ResumePoint {
  readonly iteration: number;
  readonly index: number;
  /** Step records kept from before, in order (every step before the resume point). */
  readonly steps: readonly StepRecord[];
  /** Convergence of the iterations completed before. */
  readonly convergence: readonly IterationRecord[];
  /** Spent so far (failed attempts included). */
  readonly usage: Usage;
}

/** Budget hook, asked before every step; a refusal stops the task with stop reason `budget`. */
export interface BudgetGuard {
  beforeStep(state: {
    readonly taskId: string;
    readonly iteration: number;
    readonly index: number;
    readonly agent: string;
    /** Spent so far in this task. */
    readonly usage: Usage;
  }): { readonly ok: true } | { readonly ok: false; readonly reason: string };
}

export interface EngineOptions {
  readonly resolveAgent: AgentResolver;
  /** An agent's time limit per step (its config `timeout`), retries included; undefined = none. */
  readonly agentTimeoutMs?: (agent: string) => number | undefined;
  /** settings.output_limit_bytes: the most kept of one step's output (default 1 MiB). */
  readonly outputLimitBytes?: number;
  /** Where a step's whole, uncut text goes (settings.keep_full_output); none = nowhere. */
  readonly fullOutput?: (where: { readonly taskId: string; readonly iteration: number; readonly index: number; readonly agent: string }) => (text: string) => void;
  readonly bus: OrchestratorBus;
  readonly templates?: TemplateSet;
  /** settings.min_suggestions_threshold */
  readonly suggestionThreshold: number;
  /** settings.stop_on_plateau */
  readonly stopOnPlateau: boolean;
  readonly budget?: BudgetGuard;
  /**
   * Called before each step's agent runs (after the budget check) and awaited: the workspace
   * checkpoints the working tree there. It must not throw.
   */
  readonly beforeStep?: (step: { readonly taskId: string; readonly iteration: number; readonly index: number }) => Promise<void>;
  /**
   * Called once the last step has run, before the task's end is published and awaited: the end
   * checkpoint, and a worktree's commit, exist by the time anyone sees the task finished.
   */
  readonly beforeFinish?: (end: { readonly taskId: string; readonly status: TaskOutcome['status']; readonly workflow: string }) => Promise<void>;
  /** Working-tree snapshots for each step's changed files (default: none; the service passes createTreeSnapshots). */
  readonly snapshots?: TreeSnapshots;
  readonly redact?: Redactor;
  /**
   * Connectivity for this task (resilience/offline-detector). Told every agent outcome; when it
   * says offline, a cloud step with a local fallback goes straight to the fallback.
   */
  readonly offlineDetector?: OfflineDetector;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export interface RunRequest {
  readonly taskId: string;
  readonly task: string;
  readonly plan: Plan;
  /** Absolute working directory of the agents. */
  readonly cwd: string;
  readonly maxIterations: number;
  readonly projectId?: string;
  readonly signal?: AbortSignal;
  /** Relevant earlier work for the prompts ('' or absent: none). */
  readonly memoryBlock?: string;
  /** Continue a stopped run after its kept steps instead of starting anew. */
  readonly resume?: ResumePoint;
}

export interface TaskOutcome {
  readonly taskId: string;
  readonly workflow: string;
  readonly status: Extract<TaskStatus, 'completed' | 'failed' | 'cancelled'>;
  readonly success: boolean;
  readonly stopReason: StopReason;
  readonly reason: string;
  readonly iterations: number;
  readonly steps: readonly StepRecord[];
  readonly convergence: readonly IterationRecord[];
  readonly finalOutput: string;
  readonly durationMs: number;
  readonly usage: Usage;
}

/** What memory gets when a task ends. */
export interface FinishedTask {
  readonly taskId: string;
  readonly task: string;
  readonly workflow: string;
  readonly projectId?: string;
  readonly status: TaskOutcome['status'];
  readonly success: boolean;
  readonly finalOutput: string;
  readonly agents: readonly string[];
  readonly filesModified: readonly string[];
  readonly iterations: number;
  readonly stopReason: StopReason;
  readonly steps: readonly StepRecord[];
}

export interface Engine {
  run(request: RunRequest): Promise<TaskOutcome>;
}

const ZERO: Usage = { inputTokens: 0, outputTokens: 0 };

export function createEngine(options: EngineOptions): Engine {
  const templates = options.templates ?? DEFAULT_TEMPLATES;
  const redact = options.redact ?? createRedactor();
  const now = options.now ?? (() => new Date());
  const stamp = (): string => now().toISOString();
  const { bus } = options;

  async function run(request: RunRequest): Promise<TaskOutcome> {
    const started = performance.now();
    const { taskId, plan, signal, resume } = request;
    const detectChanges = options.snapshots ? chainSnapshots(options.snapshots) : undefined;
    const steps: StepRecord[] = [...(resume?.steps ?? [])];
    const convergence: IterationRecord[] = [...(resume?.convergence ?? [])];
    let usage = resume?.usage ?? ZERO;
    let context: PromptContext = steps.reduce(updateContext, EMPTY_CONTEXT);

    // Published for a resumed run too: it marks the run (not the task) starting.
    bus.publish({
      type: 'task.started',
      taskId,
      timestamp: stamp(),
      task: request.task,
      workflow: plan.workflow,
      maxIterations: request.maxIterations,
      cwd: request.cwd,
      ...(request.projectId ? { projectId: request.projectId } : {}),
      steps: plan.steps.map((s) => ({ agent: s.agent, role: s.role, ...(s.fallback ? { fallback: s.fallback } : {}) })),
      skipped: plan.skipped.map((s) => ({ ...s })),
    });

    const finish = async (decision: StopDecision, iterations: number): Promise<TaskOutcome> => {
      const lastIteration = steps.filter((s) => s.iteration === iterations);
      const success =
        (decision.reason === 'converged' || decision.reason === 'max_iterations' || decision.reason === 'plateau') &&
        lastIteration.length > 0 &&
        lastIteration.every((s) => s.success);
      const status: TaskOutcome['status'] = decision.reason === 'cancelled' ? 'cancelled' : success ? 'completed' : 'failed';
      const finalOutput = [...steps].reverse().find((s) => s.success)?.output ?? '';
      const outcome: TaskOutcome = {
        taskId,
        workflow: plan.workflow,
        status,
        success,
        stopReason: decision.reason,
        reason: decision.detail,
        iterations,
        steps,
        convergence,
        finalOutput,
        durationMs: Math.round(performance.now() - started),
        usage,
      };
      await options.beforeFinish?.({ taskId, status, workflow: plan.workflow });
      bus.publish({
        type: 'task.finished',
        taskId,
        timestamp: stamp(),
        status,
        success,
        stopReason: decision.reason,
        reason: decision.detail,
        iterations,
        finalOutput,
        durationMs: outcome.durationMs,
        usage,
      });
      return outcome;
    };

    try {
      const memoryBlock = request.memoryBlock ?? '';
      const firstIteration = resume?.iteration ?? 1;
      const lastBefore = convergence.at(-1);
      let previous: IterationFigures | undefined = lastBefore
        ? { iteration: lastBefore.iteration, allSucceeded: lastBefore.allSucceeded, reviewCounts: lastBefore.reviews.map((r) => r.suggestions) }
        : undefined;
      for (let iteration = firstIteration; iteration <= request.maxIterations; iteration++) {
        const iterationStarted = performance.now();
        // A resumed iteration starts with the steps it had already completed.
        const records: StepRecord[] = steps.filter((s) => s.iteration === iteration);
        let stop: StopDecision | undefined;
        for (const [index, step] of plan.steps.entries()) {
          if (iteration === firstIteration && resume && index < resume.index) continue;
          if (signal?.aborted) {
            stop = { reason: 'cancelled', detail: 'cancelled by the user' };
            break;
          }
          const refusal = options.budget?.beforeStep({ taskId, iteration, index, agent: step.agent, usage });
          if (refusal && !refusal.ok) {
            stop = { reason: 'budget', detail: refusal.reason };
            break;
          }
          await options.beforeStep?.({ taskId, iteration, index });
          const prompt = buildPrompt(
            templates,
            {
              task: request.task,
              role: step.role,
              agent: step.agent,
              description: step.description,
              iteration,
              maxIterations: request.maxIterations,
              cwd: request.cwd,
              memory: memoryBlock,
            },
            context,
          );
          const record = await runStep({ request, step, index, iteration, prompt, ...(detectChanges ? { detectChanges } : {}) });
          records.push(record);
          steps.push(record);
          usage = addUsage(usage, record.usage);
          bus.publish({ type: 'step.finished', taskId, timestamp: stamp(), step: record });
          context = updateContext(context, record);
          if (signal?.aborted || record.error?.kind === 'cancelled') {
            stop = { reason: 'cancelled', detail: 'cancelled by the user' };
            break;
          }
          if (!record.success) {
            stop = { reason: 'failed', detail: describeFailure(record, index) };
            break;
          }
        }
        const reviews = records
          .filter((r) => r.role === 'review')
          .map((r) => ({ index: r.index, agent: r.agent, suggestions: r.suggestions.length }));
        const figures: IterationFigures = {
          iteration,
          allSucceeded: records.length === plan.steps.length && records.every((r) => r.success),
          reviewCounts: reviews.map((r) => r.suggestions),
        };
        stop ??= decideStop(figures, previous, {
          threshold: options.suggestionThreshold,
          stopOnPlateau: options.stopOnPlateau,
          maxIterations: request.maxIterations,
        });
        const record: IterationRecord = {
          iteration,
          reviews,
          suggestionCount: reviews.reduce((sum, r) => sum + r.suggestions, 0),
          filesChanged: [...new Set(records.flatMap((r) => r.filesModified))].sort(),
          usage: records.reduce((sum, r) => addUsage(sum, r.usage), ZERO),
          allSucceeded: figures.allSucceeded,
          durationMs: Math.round(performance.now() - iterationStarted),
          ...(stop ? { stop } : {}),
        };
        convergence.push(record);
        bus.publish({ type: 'iteration.finished', taskId, timestamp: stamp(), iteration: record });
        if (stop) return await finish(stop, iteration);
        previous = figures;
      }
      // Only reached with maxIterations < 1, which the callers refuse; stop cleanly anyway.
      return await finish({ reason: 'max_iterations', detail: 'no iterations to run' }, 0);
    } catch (error) {
      // A bug, not an agent failure (those are results): still end the task visibly.
      options.logger?.error({ err: error }, 'engine error');
      return finish({ reason: 'failed', detail: `internal error: ${errorMessage(error)}` }, convergence.length);
    }
  }

  interface StepInput {
    readonly request: RunRequest;
    readonly step: PlannedStep;
    readonly index: number;
    readonly iteration: number;
    readonly prompt: string;
    readonly detectChanges?: DetectChanges;
  }

  async function runStep(input: StepInput): Promise<StepRecord> {
    const { request, step, index, iteration } = input;
    const startedAt = stamp();
    const started = performance.now();
    const announce = (agent: string, fallbackFrom?: string, primaryError?: AgentError): void =>
      bus.publish({
        type: 'step.started',
        taskId: request.taskId,
        timestamp: stamp(),
        iteration,
        index,
        stepCount: request.plan.steps.length,
        agent,
        role: step.role,
        ...(fallbackFrom ? { fallbackFrom } : {}),
        ...(primaryError ? { primaryError } : {}),
      });

    let primary: AgentResult;
    const offline = step.unavailable === undefined ? await offlineSkip(step, request.signal) : undefined;
    if (step.unavailable !== undefined) {
      primary = failedResult(step.agent, { kind: 'not_installed', message: `${step.agent} is ${step.unavailable}` });
    } else if (offline !== undefined) {
      primary = failedResult(step.agent, { kind: 'network', message: `${step.agent} skipped: offline (${offline})` });
    } else {
      announce(step.agent);
      primary = await attempt(step.agent, input);
    }
    let result = primary;
    let fallbackFrom: string | undefined;
    let primaryError: AgentError | undefined;
    if (!primary.success && step.fallback && shouldFallBack(primary.error?.kind) && !request.signal?.aborted) {
      primaryError = primary.error;
      fallbackFrom = step.agent;
      options.logger?.warn(`${step.agent} failed (${primary.error?.kind ?? 'unknown'}); falling back to ${step.fallback}`);
      announce(step.fallback, fallbackFrom, primaryError);
      const second = await attempt(step.fallback, input);
      result = {
        ...second,
        usage: addUsage(primary.usage, second.usage),
        filesModified: [...new Set([...primary.filesModified, ...second.filesModified])].sort(),
        ...(primary.refusals || second.refusals ? { refusals: [...(primary.refusals ?? []), ...(second.refusals ?? [])] } : {}),
        ...(second.success || !second.error
          ? {}
          : {
              error: {
                kind: second.error.kind,
                message: `${step.agent} failed: ${primary.error?.message ?? 'unknown error'}; fallback ${step.fallback} failed: ${second.error.message}`,
              },
            }),
      };
    }
    const keepsSuggestions = step.role === 'review' || step.role === 'suggestions';
    const error = result.success ? undefined : (result.error ?? { kind: 'task_failed' as const, message: 'the agent reported failure' });
    return {
      iteration,
      index,
      agent: result.agent,
      role: step.role,
      success: result.success,
      output: redact(result.output),
      ...(error ? { error: { ...error, message: redact(error.message) } } : {}),
      ...(fallbackFrom ? { fallbackFrom } : {}),
      ...(primaryError ? { primaryError: { ...primaryError, message: redact(primaryError.message) } } : {}),
      suggestions: keepsSuggestions ? result.suggestions.map(redact) : [],
      filesModified: [...result.filesModified],
      ...(result.proposedChanges && result.proposedChanges.length > 0
        ? { proposedChanges: result.proposedChanges.map((c) => ({ ...c, content: redact(c.content) })) }
        : {}),
      ...(result.refusals && result.refusals.length > 0
        ? { refusals: result.refusals.map((r) => ({ ...r, reason: redact(r.reason), ...(r.target !== undefined ? { target: redact(r.target) } : {}) })) }
        : {}),
      durationMs: Math.round(performance.now() - started),
      usage: result.usage,
      startedAt,
      finishedAt: stamp(),
    };
  }

  /** Why a cloud step should go straight to its local fallback (the session is offline), if so. */
  async function offlineSkip(step: PlannedStep, signal: AbortSignal | undefined): Promise<string | undefined> {
    const detector = options.offlineDetector;
    if (!detector || !step.fallback || isLocal(step.agent) || !isLocal(step.fallback)) return undefined;
    try {
      return (await detector.isOffline(signal ? { signal } : {})) ? (detector.reason() ?? 'no connectivity') : undefined;
    } catch {
      return undefined;
    }
  }

  function isLocal(agent: string): boolean {
    try {
      return options.resolveAgent(agent).local;
    } catch {
      return false;
    }
  }

  async function attempt(agent: string, input: StepInput): Promise<AgentResult> {
    const result = await attemptOnce(agent, input);
    options.offlineDetector?.recordOutcome({
      agent,
      local: isLocal(agent),
      success: result.success,
      ...(result.error ? { kind: result.error.kind } : {}),
    });
    return result;
  }

  async function attemptOnce(agent: string, input: StepInput): Promise<AgentResult> {
    const { request, step, index, iteration } = input;
    let adapter;
    try {
      adapter = options.resolveAgent(agent);
    } catch (error) {
      return failedResult(agent, { kind: 'not_installed', message: errorMessage(error) });
    }
    const where = { taskId: request.taskId, iteration, index, agent };
    const stderr = createStderrLines({
      emit: (line) => bus.publish({ type: 'agent.stderr', ...where, timestamp: stamp(), line: redact(line) }),
    });
    let lastActivity: string | undefined;
    const keep = options.fullOutput?.(where);
    try {
      return await runAgent(
        adapter,
        { prompt: input.prompt, role: step.role, cwd: request.cwd },
        {
          ...(request.signal ? { signal: request.signal } : {}),
          timeoutMs: options.agentTimeoutMs?.(agent),
          ...(options.outputLimitBytes !== undefined ? { outputLimitBytes: options.outputLimitBytes } : {}),
          ...(input.detectChanges ? { detectChanges: input.detectChanges } : {}),
          context: { taskId: request.taskId, iteration, stepIndex: index },
          onStderr: (chunk) => stderr.push(chunk),
          ...(keep ? { onFullText: (text: string) => keep(redact(text)) } : {}),
          onEvent: (event) => {
            bus.publish({ type: 'step.output', ...where, timestamp: stamp(), event: redactEvent(event, redact) });
            const activity = activityOf(event, request.cwd);
            if (activity !== undefined && activity !== lastActivity) {
              lastActivity = activity;
              bus.publish({ type: 'step.activity', ...where, timestamp: stamp(), activity: redact(activity) });
            }
          },
        },
      );
    } finally {
      stderr.flush();
    }
  }

  return { run };
}

function failedResult(agent: string, error: AgentError): AgentResult {
  return { agent, success: false, output: '', error, filesModified: [], suggestions: [], usage: ZERO, durationMs: 0 };
}

function describeFailure(record: StepRecord, index: number): string {
  const what = `step ${index + 1} (${record.agent} ${record.role})`;
  const error = record.error;
  return error ? `${what} failed [${error.kind}]: ${error.message}` : `${what} failed`;
}

export function addUsage(a: Usage, b: Usage): Usage {
  const cost = a.costUsd === undefined && b.costUsd === undefined ? undefined : (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(cost === undefined ? {} : { costUsd: cost }),
  };
}

function redactEvent(event: AgentEvent, redact: Redactor): AgentEvent {
  // Written as ifs, not a switch: only the events with free text change, and event kinds added
  // to the spec later pass through untouched.
  if (event.type === 'text-delta' || event.type === 'text') return { ...event, text: redact(event.text) };
  if (event.type === 'tool-result') return event.output === undefined ? event : { ...event, output: redact(event.output) };
  if (event.type === 'tool-call') return event.input === undefined ? event : { ...event, input: redactJson(event.input, redact) };
  if (event.type === 'error') return { ...event, error: { ...event.error, message: redact(event.error.message) } };
  if (event.type === 'proposed-change') return { ...event, content: redact(event.content) };
  if (event.type === 'refusal') return { ...event, reason: redact(event.reason), ...(event.target !== undefined ? { target: redact(event.target) } : {}) };
  if (event.type === 'finish') {
    return {
      ...event,
      ...(event.output !== undefined ? { output: redact(event.output) } : {}),
      ...(event.error ? { error: { ...event.error, message: redact(event.error.message) } } : {}),
    };
  }
  return event;
}

function redactJson(value: unknown, redact: Redactor): unknown {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const cleaned = redact(text);
  if (cleaned === text) return value;
  try {
    return JSON.parse(cleaned) as unknown;
  } catch {
    return cleaned;
  }
}
