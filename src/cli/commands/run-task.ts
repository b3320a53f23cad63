/**
 * The `run` action: reads the task, resolves the plan, opens the task store, wires the bus
 * (task recorder, live renderer), handles Ctrl+C, runs the engine, writes reports and prints the
 * result. Exit code: 0 completed, 1 failed, 130 cancelled.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { detectChangedFiles } from '../../adapters/files-changed.js';
import { createOrchestratorBus } from '../../events/events.js';
import { findRepositoryRoot } from '../../context/project-root.js';
import { createRedactor, secretValues } from '../../security/redact.js';
import { OrchestratorError, errorMessage } from '../../shared/errors.js';
import { openTaskStore } from '../../tasks/open-task-store.js';
import { attachTaskRecorder } from '../../tasks/task-recorder.js';
import { createAgentResolver, tapAgentStarts } from '../../workflow/agents.js';
import { offlineDetectorFromSettings } from '../../resilience/offline-detector.js';
import { createAgentHealthStore } from '../../resilience/agent-health-store.js';
import { createBudgetGuard } from '../../resilience/budget.js';
import { createResilience } from '../../resilience/resilience.js';
import { databasePath, openDatabase } from '../../storage/database.js';
import { createPlanStore, describePlan } from '../../workflow/plan-store.js';
import { createEngine } from '../../workflow/engine.js';
import { resolvePlan } from '../../workflow/plan.js';
import { writeReports } from '../../workflow/reports.js';
import { resultJson } from '../../workflow/result-json.js';
import { resolveTemplates } from '../../workflow/templates.js';
import { createCliContext, type CliContext } from '../context.js';
import { printJson, printLine } from '../output.js';
import { createEventRenderer } from '../render/event-renderer.js';
import { colorWanted, createStyle } from '../render/style.js';
import { openRunMemory } from './run-memory.js';
import type { RunOptions } from './run.js';

const HEARTBEAT_MS = 30_000;
export const EXIT_CANCELLED = 130;

export async function runTaskCommand(taskArgument: string, options: RunOptions, command: Command): Promise<number> {
  const context = createCliContext(command);
  const task = await readTask(taskArgument);
  const { config } = context.config();
  const settings = config.settings;
  const logger = context.logger();
  // Offline: the flag, the setting, or (auto_detect with a probe_url) a probe that fails now.
  const offlineDetector = offlineDetectorFromSettings(settings.offline);
  const forcedOffline = Boolean(options.offline) || settings.offline.enabled;
  const detectedOffline = !forcedOffline && settings.offline.probe_url !== undefined && (await offlineDetector.isOffline());
  if (detectedOffline) logger.warn(`offline mode: ${offlineDetector.reason() ?? 'no connectivity'}; only local agents run`);
  const offline = forcedOffline || detectedOffline;
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
  const plan = await resolvePlan({ config, workflow: options.workflow, offline, resolveAgent, task, cwd, health: (agent) => health.health(agent) });
  if (!context.globals.quiet) for (const line of describePlan(plan)) process.stderr.write(`${line}\n`);
  const maxIterations = flagIterations ?? plan.maxIterations ?? settings.max_iterations;

  const { memory, projectId, tokenBudget } = await openRunMemory({
    home: context.home,
    enabled: settings.enable_context_memory,
    settings: settings.memory,
    env: context.env,
    cwd: context.cwd,
    logger,
    ...(projectPath ? { projectPath } : {}),
  });
  const { store, interrupted } = openTaskStore(context.home);
  for (const id of interrupted) logger.warn(`task ${id} was left unfinished by a process that ended; marked interrupted`);

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
  if (renderer) bus.subscribeAll(renderer.render);

  const record = store.create({ task, workflow: plan.workflow, maxIterations, cwd, ...(projectId ? { projectId } : {}) });
  current.taskId = record.id;
  agentStarts.onStart = (pid) => store.recordAgentProcess(record.id, pid);
  createPlanStore(db).save(record.id, plan);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      renderer?.stop();
      process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl+C' : signal}: cancelling the task (again to exit at once)\n`);
      controller.abort();
      return;
    }
    // Second signal: record the cancel and leave now; the process module's exit hook kills agent groups.
    try {
      const current = store.get(record.id);
      if (current && (current.status === 'in_progress' || current.status === 'pending')) {
        store.finish(record.id, {
          status: 'cancelled',
          success: false,
          stopReason: 'cancelled',
          reason: 'cancelled by the user (forced exit)',
          iterations: current.iterations,
          finalOutput: '',
          usage: current.usage,
        });
      }
    } finally {
      process.exit(EXIT_CANCELLED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const heartbeat = setInterval(() => store.heartbeat(record.id), HEARTBEAT_MS);
  heartbeat.unref();

  const startedAt = new Date().toISOString();
  let outcome;
  try {
    const engine = createEngine({
      resolveAgent,
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
      signal: controller.signal,
    });
  } finally {
    clearInterval(heartbeat);
    renderer?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
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

  if (options.json) printJson(resultJson(outcome));
  else if (outcome.finalOutput) printLine(outcome.finalOutput);
  return outcome.status === 'completed' ? 0 : outcome.status === 'cancelled' ? EXIT_CANCELLED : 1;
}

async function readTask(argument: string): Promise<string> {
  let text = argument;
  if (argument === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    text = Buffer.concat(chunks).toString('utf8');
  }
  const task = text.trim();
  if (task === '') throw new OrchestratorError('INVALID_INPUT', 'Task description is empty');
  return task;
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
