/**
 * The one code path that runs a task from the command line, shared by `run` (one task) and
 * `shell` (many tasks in one process). Opening the runner does the per-process work once
 * (resilience with its health store, agent resolver, task store, redactor); each `run` call does
 * the per-task work: offline check, plan, task record, bus with recorder and live renderer,
 * engine, reports. Signals stay with the caller: it passes an AbortSignal.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { detectChangedFiles } from '../../adapters/files-changed.js';
import type { OrchestratorConfig } from '../../config/schema.js';
import { findRepositoryRoot } from '../../context/project-root.js';
import { createOrchestratorBus } from '../../events/events.js';
import { createAgentHealthStore } from '../../resilience/agent-health-store.js';
import { createBudgetGuard } from '../../resilience/budget.js';
import { offlineDetectorFromSettings } from '../../resilience/offline-detector.js';
import { createResilience } from '../../resilience/resilience.js';
import { createRedactor, secretValues } from '../../security/redact.js';
import { OrchestratorError, errorMessage } from '../../shared/errors.js';
import { databasePath, openDatabase } from '../../storage/database.js';
import { openTaskStore } from '../../tasks/open-task-store.js';
import { attachTaskRecorder } from '../../tasks/task-recorder.js';
import type { TaskStore } from '../../tasks/task-store.js';
import { createAgentResolver, tapAgentStarts } from '../../workflow/agents.js';
import { createEngine, type TaskOutcome } from '../../workflow/engine.js';
import { resolvePlan } from '../../workflow/plan.js';
import { createPlanStore, describePlan } from '../../workflow/plan-store.js';
import { writeReports } from '../../workflow/reports.js';
import { resolveTemplates } from '../../workflow/templates.js';
import type { CliContext } from '../context.js';
import { createEventRenderer } from '../render/event-renderer.js';
import { colorWanted, createStyle } from '../render/style.js';
import { openRunMemory, type RunMemory } from './run-memory.js';

const HEARTBEAT_MS = 30_000;

/** Options that hold for every task of the runner (the `run` / `shell` flags). */
export interface TaskRunnerOptions {
  readonly maxIterations?: string;
  readonly offline?: boolean;
  readonly cwd?: string;
  readonly project?: string;
  readonly stream?: boolean;
  /** US dollars; overrides settings.budget_usd. */
  readonly budgetUsd?: string;
}

export interface TaskRunRequest {
  readonly task: string;
  readonly workflow: string;
  readonly signal: AbortSignal;
  /** Called once the task row exists (before any agent runs): lets the caller record a forced exit. */
  readonly onTaskCreated?: (taskId: string) => void;
  /** Called when the live renderer should stop drawing (e.g. a Ctrl+C message is about to be printed). */
  readonly onRendererStop?: (stop: () => void) => void;
}

export interface TaskRunner {
  readonly config: OrchestratorConfig;
  readonly store: TaskStore;
  /** Runs one task to its end. Throws OrchestratorError for bad input (unknown workflow, no agent). */
  run(request: TaskRunRequest): Promise<TaskOutcome>;
}

/** Validates the session's flags and opens what every task shares. Throws OrchestratorError on bad flags. */
export function openTaskRunner(context: CliContext, options: TaskRunnerOptions): TaskRunner {
  const { config } = context.config();
  const settings = config.settings;
  const logger = context.logger();
  const offlineDetector = offlineDetectorFromSettings(settings.offline);
  const forcedOffline = Boolean(options.offline) || settings.offline.enabled;
  const cwd = workingDirectory(context, options.cwd ?? settings.workspace_dir);
  const flagIterations = options.maxIterations !== undefined ? parseIterations(options.maxIterations) : undefined;
  // The project of this task: named (--project, $PROJECT_PATH, settings.project_path), else the git
  // repository the agents work in — so memory stays per repository without any setup.
  const projectPath = options.project ?? (settings.project_path || findRepositoryRoot(cwd));
  // Secrets from our environment and those written into agents' `env` never reach output or storage.
  const redact = createRedactor([...secretValues(process.env), ...Object.values(config.agents).flatMap((a) => secretValues(a.env))]);
  const budgetUsd = options.budgetUsd !== undefined ? parseBudget(options.budgetUsd) : settings.budget_usd;

  // Every agent call (the planner's too) goes through resilience: breaker, rate limit, retry,
  // and is recorded in the health store, so circuits and success rates persist between runs.
  const db = openDatabase(databasePath(context.home));
  const health = createAgentHealthStore(db);
  const current: { taskId?: string } = {};
  const resilience = createResilience({
    config,
    store: health,
    taskId: () => current.taskId,
    onRetry: (n) =>
      logger.warn(`${n.agent}: ${n.error.kind} (${n.error.message}); retry ${n.attempt + 1}/${n.maxAttempts} in ${(n.delayMs / 1000).toFixed(1)} s`),
    onCircuitChange: (agent, from, to) => logger.warn(`${agent}: circuit ${from} → ${to.state}`),
  });
  // Agent pids are noted in the task row as each process starts (inside resilience, which holds
  // events back), so a crash of this process can be cleaned up by the next command.
  const agentStarts: { onStart?: (pid: number) => void } = {};
  const resolveAgent = resilience.wrap(
    tapAgentStarts(
      createAgentResolver(config, {
        applyLocalEdits: settings.apply_local_edits,
        ...(context.globals.verbose ? { onStderr: (agent: string, chunk: string) => process.stderr.write(redact(`[${agent}] ${chunk}`)) } : {}),
      }),
      (_agent, pid) => agentStarts.onStart?.(pid),
    ),
  );
  const { store, interrupted } = openTaskStore(context.home);
  for (const id of interrupted) logger.warn(`task ${id} was left unfinished by a process that ended; marked interrupted`);
  const plans = createPlanStore(db);
  // Memory opens on the first task, after its plan resolved (a bad workflow costs no project scan).
  let memoryOpened: Promise<RunMemory> | undefined;

  async function run(request: TaskRunRequest): Promise<TaskOutcome> {
    const { task } = request;
    // Offline: the flag, the setting, or (auto_detect with a probe_url) a probe that fails now.
    const detectedOffline = !forcedOffline && settings.offline.probe_url !== undefined && (await offlineDetector.isOffline());
    if (detectedOffline) logger.warn(`offline mode: ${offlineDetector.reason() ?? 'no connectivity'}; only local agents run`);
    const offline = forcedOffline || detectedOffline;
    const plan = await resolvePlan({ config, workflow: request.workflow, offline, resolveAgent, task, cwd, health: (agent) => health.health(agent) });
    if (!context.globals.quiet) for (const line of describePlan(plan)) process.stderr.write(`${line}\n`);
    const maxIterations = flagIterations ?? plan.maxIterations ?? settings.max_iterations;

    memoryOpened ??= openRunMemory({
      home: context.home,
      enabled: settings.enable_context_memory,
      settings: settings.memory,
      env: context.env,
      cwd: context.cwd,
      logger,
      ...(projectPath ? { projectPath } : {}),
    });
    const { memory, projectId, tokenBudget } = await memoryOpened;

    const bus = createOrchestratorBus({ onListenerError: (error) => logger.error(`event subscriber failed: ${errorMessage(error)}`) });
    attachTaskRecorder(bus, store);
    const renderer = context.globals.quiet
      ? undefined
      : createEventRenderer({
          out: process.stderr,
          style: createStyle(colorWanted(process.stderr, context.env, settings.colored_output)),
          live: Boolean(process.stderr.isTTY),
          stream: Boolean(options.stream),
        });
    if (renderer) {
      bus.subscribeAll(renderer.render);
      request.onRendererStop?.(() => renderer.stop());
    }

    const record = store.create({ task, workflow: plan.workflow, maxIterations, cwd, ...(projectId ? { projectId } : {}) });
    current.taskId = record.id;
    agentStarts.onStart = (pid) => store.recordAgentProcess(record.id, pid);
    plans.save(record.id, plan);
    request.onTaskCreated?.(record.id);
    const heartbeat = setInterval(() => store.heartbeat(record.id), HEARTBEAT_MS);
    heartbeat.unref();

    const startedAt = new Date().toISOString();
    let outcome: TaskOutcome;
    try {
      const engine = createEngine({
        resolveAgent,
        agentTimeoutMs: (agent) => agentTimeoutMs(config, agent),
        outputLimitBytes: settings.output_limit_bytes,
        bus,
        templates: resolveTemplates(settings.templates),
        suggestionThreshold: settings.min_suggestions_threshold,
        stopOnPlateau: settings.stop_on_plateau,
        ...(memory ? { memory, ...(tokenBudget !== undefined ? { memoryTokenBudget: tokenBudget } : {}) } : {}),
        detectChanges: detectChangedFiles,
        offlineDetector,
        ...(budgetUsd !== undefined
          ? { budget: createBudgetGuard({ limitUsd: budgetUsd, onUnknownCost: (message) => logger.warn(message) }) }
          : {}),
        redact,
        logger,
      });
      outcome = await engine.run({
        taskId: record.id,
        task,
        plan,
        cwd,
        maxIterations,
        ...(projectId ? { projectId } : {}),
        signal: request.signal,
      });
    } finally {
      clearInterval(heartbeat);
      renderer?.stop();
      delete current.taskId;
      delete agentStarts.onStart;
    }

    if (settings.create_reports) {
      try {
        const written = writeReports(
          { outcome, task, cwd, ...(projectId ? { projectId } : {}), startedAt, finishedAt: new Date().toISOString() },
          { home: context.home, reportsDir: settings.reports_dir, outputDir: settings.output_dir },
        );
        logger.debug(`report written to ${written.report}`);
      } catch (error) {
        logger.warn(`could not write the report: ${errorMessage(error)}`);
      }
    }
    return outcome;
  }

  return { config, store, run };
}

/** An agent's `timeout` (seconds in the config) in milliseconds. */
function agentTimeoutMs(config: OrchestratorConfig, agent: string): number | undefined {
  const seconds = Object.hasOwn(config.agents, agent) ? config.agents[agent]?.timeout : undefined;
  return seconds === undefined ? undefined : seconds * 1000;
}

function workingDirectory(context: CliContext, dir: string): string {
  const resolved = path.resolve(context.cwd, dir);
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) {
    throw new OrchestratorError('INVALID_INPUT', `working directory ${resolved} does not exist or is not a directory`);
  }
  return resolved;
}

function parseBudget(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new OrchestratorError('INVALID_INPUT', `--budget-usd must be a positive number of US dollars (got "${text}")`);
  }
  return value;
}

function parseIterations(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw new OrchestratorError('INVALID_INPUT', `--max-iterations must be a whole number from 1 to 100 (got "${text}")`);
  }
  return value;
}
