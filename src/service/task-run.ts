/**
 * One task's life inside the service, from its row to its end state: wait for the working tree
 * (visible as `queued`), plan (the dynamic planner's call is cancellable and recorded under the
 * task), fetch the memory block, run the engine, write reports, let memory record it. Every step
 * of it is an event on the runtime's bus; nothing here prints.
 */
import path from 'node:path';
import { createTreeSnapshots } from '../adapters/files-changed.js';
import type { OrchestratorConfig } from '../config/schema.js';
import type { PlanSummary } from '../events/events.js';
import { createBudgetGuard } from '../resilience/budget.js';
import { offlineDetectorFromSettings } from '../resilience/offline-detector.js';
import { OrchestratorError, errorMessage, type ErrorCode } from '../shared/errors.js';
import { createEngine, type ResumePoint, type TaskOutcome } from '../workflow/engine.js';
import { resolvePlan, type Plan } from '../workflow/plan.js';
import { resolveTemplates } from '../workflow/templates.js';
import type { TaskWorkspace } from '../workspace/task-workspace.js';
import type { Semaphore } from '../resilience/concurrency.js';
import { appendPrivateFile } from '../storage/private-files.js';
import type { ServiceRuntime } from './service-runtime.js';
import type { TaskMemory } from './task-memory.js';

/** A task's end as the service reports it: the engine's outcome, or why it could not start. */
export interface TaskResult extends TaskOutcome {
  /** Set when the task ended before any step ran because the request could not be planned. */
  readonly refusal?: { readonly code: ErrorCode; readonly message: string };
}

export interface TaskRunInput {
  readonly taskId: string;
  /** The task text the agents get (a follow-up's composed prompt). */
  readonly promptTask: string;
  readonly workflow: string;
  readonly cwd: string;
  readonly maxIterations?: number;
  readonly projectPath?: string;
  readonly projectId?: string;
  readonly offline: boolean;
  readonly budgetUsd?: number;
  /** `worktree`: in a new git worktree on branch aio/<task id>. */
  readonly isolation: 'none' | 'worktree';
  /** The revision the worktree starts from (default HEAD). */
  readonly base?: string;
  /** Relevant earlier work looked up elsewhere (a queue worker gets it from the coordinator): no lookup here. */
  readonly memoryBlock?: string;
  /** A probe: this agent once, the task text as its exact prompt (no template, memory or report). */
  readonly agent?: string;
  readonly signal: AbortSignal;
  /** A resumed run: the plan it ran, where it continues, its memory block. */
  readonly resume?: { readonly plan: Plan; readonly maxIterations: number; readonly point: ResumePoint; readonly memoryBlock: string };
}

const QUEUE_POLL_MS = 200;

/**
 * Runs the task once a slot of the process's `max_parallel_tasks` is free; until then it waits,
 * `queued` (and a cancel while it waits ends it at once).
 */
export async function runTaskInSlot(
  runtime: ServiceRuntime,
  input: TaskRunInput,
  wake: { wait(signal: AbortSignal, ms: number): Promise<void> },
  slots: { readonly semaphore: Semaphore; readonly oldestRunning: () => string | undefined },
): Promise<TaskResult> {
  const { semaphore } = slots;
  if (semaphore.active() >= runtime.config.settings.max_parallel_tasks) {
    runtime.bus.publish({
      type: 'task.queued',
      taskId: input.taskId,
      timestamp: new Date().toISOString(),
      waitingFor: slots.oldestRunning() ?? input.taskId,
      cwd: input.cwd,
      reason: 'capacity',
    });
  }
  let release: () => void;
  try {
    release = await semaphore.acquire(input.signal);
  } catch {
    return runTask(runtime, input, wake);
  }
  try {
    return await runTask(runtime, input, wake);
  } finally {
    release();
  }
}

export async function runTask(runtime: ServiceRuntime, input: TaskRunInput, wake: { wait(signal: AbortSignal, ms: number): Promise<void> }): Promise<TaskResult> {
  const { bus, store, config, logger } = runtime;
  const { taskId, signal } = input;
  const settings = config.settings;
  const stamp = (): string => new Date().toISOString();
  const started = performance.now();

  const endEarly = (status: 'cancelled' | 'failed', reason: string, refusal?: TaskResult['refusal']): TaskResult => {
    const usage = store.get(taskId)?.usage ?? { inputTokens: 0, outputTokens: 0 };
    const iterations = store.get(taskId)?.iterations ?? 0;
    const durationMs = Math.round(performance.now() - started);
    const stopReason = status === 'cancelled' ? 'cancelled' : 'failed';
    bus.publish({ type: 'task.finished', taskId, timestamp: stamp(), status, success: false, stopReason, reason, iterations, finalOutput: '', durationMs, usage });
    return { taskId, workflow: input.workflow, status, success: false, stopReason, reason, iterations, steps: store.steps(taskId), convergence: store.get(taskId)?.convergence ?? [], finalOutput: '', durationMs, usage, ...(refusal ? { refusal } : {}) };
  };

  if (signal.aborted) return endEarly('cancelled', 'cancelled by the user while queued');

  // Memory (its modules, the store, the search for relevant earlier work) is prepared while the
  // workspace and the plan are: it needs neither, and they mostly wait on git and availability checks.
  const memoryBlock = memoryBlockFor(runtime, input);

  // Where the agents work: the directory asked for, or the task's own worktree (which no other
  // task shares, so it never waits behind the main tree's queue).
  let workspace: TaskWorkspace;
  try {
    workspace = await runtime.workspaces.open({
      taskId,
      task: input.promptTask,
      workflow: input.workflow,
      cwd: input.cwd,
      isolation: input.isolation,
      ...(input.base !== undefined ? { base: input.base } : {}),
      notice: (message) => bus.publish({ type: 'workspace.notice', taskId, timestamp: stamp(), message }),
      onCheckpoint: (c) =>
        bus.publish({
          type: 'workspace.checkpoint',
          taskId,
          timestamp: stamp(),
          kind: c.kind,
          ...(c.iteration !== undefined ? { iteration: c.iteration } : {}),
          ...(c.stepIndex !== undefined ? { index: c.stepIndex } : {}),
          commit: c.commit,
          ref: c.ref,
        }),
    });
  } catch (error) {
    const refusal = OrchestratorError.isInstance(error) ? { code: error.code, message: error.message } : undefined;
    return endEarly('failed', `could not prepare the task's workspace: ${errorMessage(error)}`, refusal);
  }
  const cwd = workspace.cwd;
  if (cwd !== input.cwd) store.setCwd(taskId, cwd);

  // The working tree: one task at a time edits a directory; the others wait, visibly.
  let announced = false;
  for (;;) {
    if (signal.aborted) return endEarly('cancelled', 'cancelled by the user while queued');
    const blocker = store.claimWorkingTree(taskId);
    if (blocker === undefined) break;
    if (!announced) {
      bus.publish({ type: 'task.queued', taskId, timestamp: stamp(), waitingFor: blocker, cwd });
      announced = true;
    }
    await wake.wait(signal, QUEUE_POLL_MS);
  }

  let plan: Plan;
  let maxIterations: number;
  const offlineDetector = offlineDetectorFromSettings(settings.offline);
  try {
    if (input.resume) {
      plan = input.resume.plan;
      maxIterations = input.resume.maxIterations;
    } else if (input.agent) {
      plan = { workflow: input.workflow, steps: [{ agent: input.agent, role: 'raw', description: '' }], skipped: [], offline: input.offline };
      maxIterations = 1;
      runtime.plans.save(taskId, plan);
      bus.publish({ type: 'task.planned', taskId, timestamp: stamp(), plan: planSummary(plan, maxIterations) });
    } else {
      // Offline: the flag, the setting, or (auto_detect with a probe_url) a probe that fails now.
      const detected = !input.offline && settings.offline.probe_url !== undefined && (await offlineDetector.isOffline({ signal }));
      if (detected) logger.warn(`offline mode: ${offlineDetector.reason() ?? 'no connectivity'}; only local agents run`);
      plan = await resolvePlan({
        config,
        workflow: input.workflow,
        offline: input.offline || detected,
        resolveAgent: runtime.resolveAgent,
        task: input.promptTask,
        cwd,
        health: (agent) => runtime.health.health(agent),
        signal,
        taskId,
      });
      maxIterations = input.maxIterations ?? plan.maxIterations ?? settings.max_iterations;
      runtime.plans.save(taskId, plan);
      bus.publish({ type: 'task.planned', taskId, timestamp: stamp(), plan: planSummary(plan, maxIterations) });
    }
  } catch (error) {
    if (signal.aborted) return endEarly('cancelled', 'cancelled by the user while planning');
    const refusal = OrchestratorError.isInstance(error) ? { code: error.code, message: error.message } : undefined;
    return endEarly('failed', `could not plan the task: ${errorMessage(error)}`, refusal);
  }

  const looked = await memoryBlock;
  if (looked.stored) store.setMemoryBlock(taskId, looked.block);

  const startedAt = stamp();
  const engine = createEngine({
    resolveAgent: runtime.resolveAgent,
    agentTimeoutMs: (agent) => agentTimeoutMs(config, agent),
    outputLimitBytes: settings.output_limit_bytes,
    ...(settings.keep_full_output ? { fullOutput: fullOutputFile(runtime.home) } : {}),
    bus,
    templates: resolveTemplates(settings.templates),
    suggestionThreshold: settings.min_suggestions_threshold,
    stopOnPlateau: settings.stop_on_plateau,
    snapshots: createTreeSnapshots({ maxFiles: settings.snapshot.max_files }),
    beforeStep: (step) => workspace.beforeStep(step),
    beforeFinish: (end) => workspace.finish(end),
    offlineDetector,
    ...(input.budgetUsd !== undefined
      ? { budget: createBudgetGuard({ limitUsd: input.budgetUsd, onUnknownCost: (message) => logger.warn(message) }) }
      : {}),
    redact: runtime.redact,
    logger,
  });
  // The report writer loads while the agents run, not after them.
  const reports = settings.create_reports && !input.agent ? import('../workflow/reports.js') : undefined;
  const outcome = await engine.run({
    taskId,
    task: input.promptTask,
    plan,
    cwd,
    maxIterations,
    ...(input.projectId ? { projectId: input.projectId } : {}),
    signal,
    memoryBlock: looked.block,
    ...(input.resume ? { resume: input.resume.point } : {}),
  });

  if (reports) {
    try {
      const { writeReports } = await reports;
      const written = writeReports(
        { outcome, task: input.promptTask, cwd, ...(input.projectId ? { projectId: input.projectId } : {}), startedAt, finishedAt: stamp() },
        { home: runtime.home, reportsDir: settings.reports_dir, outputDir: settings.output_dir },
        runtime.redact,
      );
      logger.debug(`report written to ${written.report}`);
    } catch (error) {
      logger.warn(`could not write the report: ${errorMessage(error)}`);
    }
  }
  return outcome;
}

/**
 * The memory block of the task's prompts: a resumed run's own, else relevant earlier work from
 * memory (`stored`: it was looked up, and is kept with the task for a resume). Never rejects: a
 * failed lookup is a warning and an empty block.
 */
async function memoryBlockFor(runtime: ServiceRuntime, input: TaskRunInput): Promise<{ readonly block: string; readonly stored: boolean }> {
  const fallback = { block: input.resume?.memoryBlock ?? input.memoryBlock ?? '', stored: false };
  try {
    const memory: TaskMemory = input.agent || input.memoryBlock !== undefined ? {} : await runtime.memory(input.projectPath);
    if (input.resume || !memory.memory) return fallback;
    try {
      const block = await memory.memory.getRelevantContext(input.promptTask, {
        ...(input.projectId ? { projectId: input.projectId } : {}),
        tokenBudget: memory.tokenBudget ?? 1500,
      });
      return { block, stored: true };
    } catch (error) {
      runtime.logger.warn(`memory lookup failed, continuing without it: ${errorMessage(error)}`);
      return { block: '', stored: true };
    }
  } catch (error) {
    runtime.logger.warn(`context memory unavailable, running without it: ${errorMessage(error)}`);
    return fallback;
  }
}

export function planSummary(plan: Plan, maxIterations: number): PlanSummary {
  return {
    workflow: plan.workflow,
    steps: plan.steps.map((s) => ({
      agent: s.agent,
      role: s.role,
      description: s.description,
      ...(s.fallback ? { fallback: s.fallback } : {}),
      ...(s.unavailable ? { unavailable: s.unavailable } : {}),
    })),
    skipped: plan.skipped.map((s) => ({ ...s })),
    maxIterations,
    offline: plan.offline,
    ...(plan.origin ? { origin: { ...plan.origin, notes: [...plan.origin.notes], excluded: plan.origin.excluded.map((x) => ({ ...x })) } } : {}),
  };
}

/** The plan a task ran, back from its `task.planned` event (for resume: the same plan). */
export function planFromSummary(summary: PlanSummary): Plan {
  return {
    workflow: summary.workflow,
    steps: summary.steps.map((s) => ({
      agent: s.agent,
      role: s.role,
      description: s.description ?? '',
      ...(s.fallback ? { fallback: s.fallback } : {}),
      ...(s.unavailable ? { unavailable: s.unavailable } : {}),
    })),
    skipped: summary.skipped,
    maxIterations: summary.maxIterations,
    offline: summary.offline,
    ...(summary.origin && summary.origin.source !== 'workflow' ? { origin: { ...summary.origin, source: summary.origin.source } } : {}),
  };
}

/** An agent's `timeout` (seconds in the config) in milliseconds: it bounds each of its steps, retries included. */
function agentTimeoutMs(config: OrchestratorConfig, agent: string): number | undefined {
  const seconds = Object.hasOwn(config.agents, agent) ? config.agents[agent]?.timeout : undefined;
  return seconds === undefined ? undefined : seconds * 1000;
}

/** settings.keep_full_output: each step's whole text, appended as it arrives to a private file. */
function fullOutputFile(home: string) {
  return (where: { readonly taskId: string; readonly iteration: number; readonly index: number; readonly agent: string }) => {
    const safeAgent = where.agent.replace(/[^\w.-]/g, '_');
    const file = path.join(home, 'full-output', where.taskId, `${where.iteration}-${where.index + 1}-${safeAgent}.log`);
    return (text: string): void => appendPrivateFile(file, text);
  };
}
