/**
 * What every task of one service shares, opened once per process: the database with the task
 * store, event log, plan store and agent health; resilience (breakers, limits, retries) around
 * one agent resolver; the redactor; one bus on which every task publishes (events carry their
 * task id) with the recorder as the one writer of task state; and the context memory, opened on
 * first use. Nothing here knows which task is "current": calls carry their own context.
 */
import path from 'node:path';
import type { OrchestratorConfig } from '../config/schema.js';
import { createOrchestratorBus, type OrchestratorBus, type StoredEvent } from '../events/events.js';
import type { Logger } from '../observability/logger.js';
import { createAgentHealthStore, type AgentHealthStore } from '../resilience/agent-health-store.js';
import type { Semaphore } from '../resilience/concurrency.js';
import { createResilience } from '../resilience/resilience.js';
import { createRedactor, secretValues, type Redactor } from '../security/redact.js';
import { errorMessage } from '../shared/errors.js';
import { databasePath, openDatabase, type Db } from '../storage/database.js';
import { settledFirst } from '../storage/turn-writes.js';
import { createEventLog, type EventLog } from '../tasks/event-log.js';
import { openTaskStore } from '../tasks/open-task-store.js';
import { attachTaskRecorder, createTaskRecorder } from '../tasks/task-recorder.js';
import type { TaskStore } from '../tasks/task-store.js';
import { createAgentResolver, tapAgentStarts, type AgentResolver } from '../workflow/agents.js';
import { createPlanStore, type PlanStore } from '../workflow/plan-store.js';
import { createTaskWorkspaces, type TaskWorkspaces } from '../workspace/task-workspace.js';
import { createStoredEventFanout } from './stored-event-fanout.js';
import { openTaskMemory, type TaskMemory } from './task-memory.js';

export interface ServiceRuntimeOptions {
  readonly home: string;
  readonly config: OrchestratorConfig;
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Base directory for relative project paths. */
  readonly baseDir: string;
  /**
   * Resilience shared with other processes (a queue worker: the fleet's circuits, call records and
   * `max_concurrency` through Redis) instead of this database's alone.
   */
  readonly shared?: { readonly health: AgentHealthStore; readonly semaphoreFor: (agent: string, max: number) => Semaphore };
}

export interface ServiceRuntime {
  readonly home: string;
  readonly config: OrchestratorConfig;
  readonly logger: Logger;
  readonly db: Db;
  readonly databaseFile: string;
  readonly store: TaskStore;
  readonly log: EventLog;
  readonly plans: PlanStore;
  readonly health: AgentHealthStore;
  readonly resolveAgent: AgentResolver;
  readonly redact: Redactor;
  /** Every event of every task this process runs. */
  readonly bus: OrchestratorBus;
  /** Checkpoints and worktrees of the tasks. */
  readonly workspaces: TaskWorkspaces;
  /** Tasks found unfinished by a dead process when the store was opened. */
  readonly interrupted: readonly string[];
  /** A task's events as this process stores them from now on (with `earliest`, its first ones kept so far, first). */
  onStored(taskId: string, listener: (stored: StoredEvent) => void, options?: { readonly earliest?: boolean }): () => void;
  /** Writes the events and call records made so far (they are written at the end of each turn of the event loop). */
  settle(): void;
  /** The memory of a project (opened once, on first use). */
  memory(projectPath: string | undefined): Promise<TaskMemory>;
}

export function openServiceRuntime(options: ServiceRuntimeOptions): ServiceRuntime {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const databaseFile = databasePath(options.home);
  const db = openDatabase(databaseFile);
  const opened = openTaskStore(options.home);
  const { interrupted } = opened;
  const health = options.shared?.health ?? createAgentHealthStore(db, { onError: (error) => logger.warn(`could not record an agent call: ${errorMessage(error)}`) });
  const plans = createPlanStore(db);
  // Secrets from our environment and those written into agents' `env` never reach output or storage.
  const redact = createRedactor([...secretValues(env), ...Object.values(config.agents).flatMap((a) => secretValues(a.env))]);
  const bus = createOrchestratorBus({ onListenerError: (error) => logger.error(`event subscriber failed: ${errorMessage(error)}`) });
  const fanout = createStoredEventFanout();
  const storing = createEventLog(db, { redact });
  const recorder = attachTaskRecorder(bus, createTaskRecorder(db, opened.store, storing), (stored, published) => fanout.deliver(stored, published), {
    onError: (error) => logger.error(`could not store an event: ${errorMessage(error)}`),
  });
  // Every read and write of task state in this process comes after the events published before it.
  const store = settledFirst(opened.store, recorder.settle);
  const log = settledFirst(storing, recorder.settle);

  const stamp = (): string => new Date().toISOString();
  // Every agent call (the planner's too) goes through resilience: breaker, rate limit, retry,
  // recorded in the health store, so circuits and success rates persist between runs. Retries
  // and circuit changes become events of the task whose call caused them.
  const resilience = createResilience({
    config,
    store: health,
    ...(options.shared ? { semaphoreFor: options.shared.semaphoreFor } : {}),
    onRetry: (notice) => {
      if (!notice.context) return;
      bus.publish({
        type: 'agent.retrying',
        taskId: notice.context.taskId,
        timestamp: stamp(),
        agent: notice.agent,
        ...(notice.context.iteration !== undefined ? { iteration: notice.context.iteration } : {}),
        ...(notice.context.stepIndex !== undefined ? { index: notice.context.stepIndex } : {}),
        attempt: notice.attempt,
        maxAttempts: notice.maxAttempts,
        delayMs: notice.delayMs,
        error: { kind: notice.error.kind, message: redact(notice.error.message) },
      });
    },
    onCircuitChange: (change) => {
      if (!change.context) {
        logger.warn(`${change.agent}: circuit ${change.from} → ${change.to.state}`);
        return;
      }
      bus.publish({
        type: 'circuit.changed',
        taskId: change.context.taskId,
        timestamp: stamp(),
        agent: change.agent,
        from: change.from,
        to: change.to.state,
        consecutiveFailures: change.to.consecutiveFailures,
        ...(change.to.openUntil !== undefined ? { openUntil: new Date(change.to.openUntil).toISOString() } : {}),
      });
    },
  });
  // Agent pids are published as each process starts (below resilience, which holds events back
  // until a call commits), so a crash of this process can be cleaned up by the next command.
  const resolveAgent = resilience.wrap(
    tapAgentStarts(createAgentResolver(config, { applyLocalEdits: config.settings.apply_local_edits }), (agent, pid, context) => {
      if (!context) return;
      bus.publish({
        type: 'agent.started',
        taskId: context.taskId,
        timestamp: stamp(),
        agent,
        ...(context.iteration !== undefined ? { iteration: context.iteration } : {}),
        ...(context.stepIndex !== undefined ? { index: context.stepIndex } : {}),
        pid,
      });
    }),
  );

  const workspaces = createTaskWorkspaces({
    db,
    worktreeDir: path.resolve(options.home, config.settings.worktree.dir),
    copy: config.settings.worktree.copy,
  });

  const memories = new Map<string, Promise<TaskMemory>>();
  return {
    home: options.home,
    config,
    logger,
    db,
    databaseFile,
    store,
    log,
    plans,
    health,
    resolveAgent,
    redact,
    bus,
    workspaces,
    interrupted,
    onStored: (taskId, listener, options) => fanout.subscribe(taskId, listener, options),
    settle: recorder.settle,
    memory(projectPath) {
      const key = projectPath ?? '';
      let opened = memories.get(key);
      if (!opened) {
        opened = openTaskMemory({
          home: options.home,
          enabled: config.settings.enable_context_memory,
          settings: config.settings.memory,
          env,
          cwd: options.baseDir,
          logger,
          ...(projectPath ? { projectPath } : {}),
        });
        memories.set(key, opened);
      }
      return opened;
    },
  };
}
