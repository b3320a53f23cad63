/**
 * Prometheus metrics: ONE registry per `createMetrics()`, every metric name, help text and label
 * set defined once in `METRIC_DEFINITIONS`. Nothing in the code increments a counter by hand:
 * a live registry is fed from the engine's event stream (`observeEvents(bus)`), and
 * `ai-orchestrator metrics` fills a fresh registry from the persisted records
 * (`loadPersistedRecords`) so the figures are useful from a shell, across CLI runs.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventBus } from '../events/bus.js';
import type { OrchestratorEvent } from '../events/events.js';
import type { AgentHealthStore, CallOutcome } from '../resilience/agent-health-store.js';
import type { CircuitState } from '../resilience/circuit-breaker.js';

export const METRIC_DEFINITIONS = {
  agentCalls: {
    name: 'orchestrator_agent_calls_total',
    help: 'Agent calls by agent, role and status (success, failure, skipped = circuit open)',
    labels: ['agent', 'role', 'status'],
  },
  agentCallDuration: {
    name: 'orchestrator_agent_call_duration_seconds',
    help: 'Duration of agent calls in seconds',
    labels: ['agent', 'role'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  },
  agentTokens: {
    name: 'orchestrator_agent_tokens_total',
    help: 'Tokens used by agents, by direction (input, output)',
    labels: ['agent', 'direction'],
  },
  agentCost: {
    name: 'orchestrator_agent_cost_usd_total',
    help: 'US dollars spent on agent calls (reported by the CLI, or tokens x price)',
    labels: ['agent'],
  },
  agentFailures: {
    name: 'orchestrator_agent_failures_total',
    help: 'Failed agent calls by failure kind',
    labels: ['agent', 'kind'],
  },
  circuitState: {
    name: 'orchestrator_circuit_state',
    help: 'Circuit breaker state per agent: 0 closed, 1 half_open, 2 open',
    labels: ['agent'],
  },
  tasks: {
    name: 'orchestrator_tasks_total',
    help: 'Finished tasks by workflow and status',
    labels: ['workflow', 'status'],
  },
  taskIterations: {
    name: 'orchestrator_task_iterations',
    help: 'Iterations a finished task ran',
    labels: [],
    buckets: [1, 2, 3, 4, 5, 7, 10, 20],
  },
  reviewSuggestions: {
    name: 'orchestrator_review_suggestions',
    help: 'Suggestions per review step',
    labels: [],
    buckets: [0, 1, 2, 3, 5, 8, 13, 21],
  },
  queueJobs: {
    name: 'orchestrator_queue_jobs_total',
    help: 'Queued tasks a worker took, by how they left it (ended, cancelled, handed_back, lost, stale, error)',
    labels: ['outcome'],
  },
  queueRunning: {
    name: 'orchestrator_queue_running_tasks',
    help: 'Queued tasks a worker is running now',
    labels: [],
  },
} as const;

export const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, half_open: 1, open: 2 };

type LabelsOf<K extends keyof typeof METRIC_DEFINITIONS> = (typeof METRIC_DEFINITIONS)[K]['labels'][number];

export interface Metrics {
  readonly registry: Registry;
  readonly agentCalls: Counter<LabelsOf<'agentCalls'>>;
  readonly agentCallDuration: Histogram<LabelsOf<'agentCallDuration'>>;
  readonly agentTokens: Counter<LabelsOf<'agentTokens'>>;
  readonly agentCost: Counter<LabelsOf<'agentCost'>>;
  readonly agentFailures: Counter<LabelsOf<'agentFailures'>>;
  readonly circuitState: Gauge<LabelsOf<'circuitState'>>;
  readonly tasks: Counter<LabelsOf<'tasks'>>;
  readonly taskIterations: Histogram;
  readonly reviewSuggestions: Histogram;
  readonly queueJobs: Counter<LabelsOf<'queueJobs'>>;
  readonly queueRunning: Gauge;
  /** The exposition text (Prometheus text format 0.0.4). */
  exposition(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Node's default process metrics (heap, event loop lag, ...); default true. */
  readonly defaultMetrics?: boolean;
  /**
   * The process exits right after printing (the `metrics` command): its event-loop lag was never
   * sampled, so that family would read as an empty histogram (min 9223372036.85 s, mean NaN) — leave it out.
   */
  readonly oneShot?: boolean;
}

/** Process metrics that only mean something in a process that has been running a while. */
const LONG_RUNNING_ONLY = /^nodejs_eventloop_lag/;

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    if (options.oneShot) {
      for (const metric of registry.getMetricsAsArray()) if (LONG_RUNNING_ONLY.test(metric.name)) registry.removeSingleMetric(metric.name);
    }
  }
  const d = METRIC_DEFINITIONS;
  const counter = <L extends string>(def: { name: string; help: string; labels: readonly L[] }) =>
    new Counter<L>({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry] });
  const histogram = <L extends string>(def: { name: string; help: string; labels: readonly L[]; buckets: readonly number[] }) =>
    new Histogram<L>({ name: def.name, help: def.help, labelNames: def.labels, buckets: [...def.buckets], registers: [registry] });
  return {
    registry,
    agentCalls: counter(d.agentCalls),
    agentCallDuration: histogram(d.agentCallDuration),
    agentTokens: counter(d.agentTokens),
    agentCost: counter(d.agentCost),
    agentFailures: counter(d.agentFailures),
    circuitState: new Gauge({ name: d.circuitState.name, help: d.circuitState.help, labelNames: d.circuitState.labels, registers: [registry] }),
    tasks: counter(d.tasks),
    taskIterations: histogram(d.taskIterations),
    reviewSuggestions: histogram(d.reviewSuggestions),
    queueJobs: counter(d.queueJobs),
    queueRunning: new Gauge({ name: d.queueRunning.name, help: d.queueRunning.help, registers: [registry] }),
    exposition: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** One agent call as the metrics see it. */
export interface ObservedCall {
  readonly agent: string;
  readonly role: string;
  readonly status: CallOutcome;
  readonly failureKind?: string;
  readonly durationMs?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costUsd?: number;
}

export function observeCall(metrics: Metrics, call: ObservedCall, count = 1): void {
  metrics.agentCalls.inc({ agent: call.agent, role: call.role, status: call.status }, count);
  if (call.status === 'failure' && call.failureKind) metrics.agentFailures.inc({ agent: call.agent, kind: call.failureKind }, count);
  if (call.durationMs !== undefined && call.status !== 'skipped') {
    metrics.agentCallDuration.observe({ agent: call.agent, role: call.role }, call.durationMs / 1000);
  }
  if (call.inputTokens) metrics.agentTokens.inc({ agent: call.agent, direction: 'input' }, call.inputTokens);
  if (call.outputTokens) metrics.agentTokens.inc({ agent: call.agent, direction: 'output' }, call.outputTokens);
  if (call.costUsd) metrics.agentCost.inc({ agent: call.agent }, call.costUsd);
}

/**
 * Feeds a live registry from the engine's events until the signal aborts: each finished step is
 * a call of its agent (and, when it fell back, a failed or skipped call of the primary); each
 * review's suggestions and each finished task (workflow, status, iterations) are counted.
 * Retries inside one step are visible only in the persisted records (`loadPersistedRecords`).
 */
export function observeEvents(bus: EventBus<OrchestratorEvent>, metrics: Metrics, options: { signal?: AbortSignal } = {}): void {
  const workflows = new Map<string, string>();
  bus.subscribe('task.started', (e) => void workflows.set(e.taskId, e.workflow), options);
  bus.subscribe(
    'step.finished',
    ({ step }) => {
      if (step.fallbackFrom && step.primaryError) {
        const skipped = step.primaryError.kind === 'circuit_open';
        observeCall(metrics, {
          agent: step.fallbackFrom,
          role: step.role,
          status: skipped ? 'skipped' : 'failure',
          failureKind: step.primaryError.kind,
        });
      }
      observeCall(metrics, {
        agent: step.agent,
        role: step.role,
        status: step.success ? 'success' : step.error?.kind === 'circuit_open' ? 'skipped' : 'failure',
        ...(step.error ? { failureKind: step.error.kind } : {}),
        durationMs: step.durationMs,
        inputTokens: step.usage.inputTokens,
        outputTokens: step.usage.outputTokens,
        ...(step.usage.costUsd === undefined ? {} : { costUsd: step.usage.costUsd }),
      });
      if (step.role === 'review' && step.success) metrics.reviewSuggestions.observe(step.suggestions.length);
    },
    options,
  );
  bus.subscribe(
    'task.finished',
    (e) => {
      metrics.tasks.inc({ workflow: workflows.get(e.taskId) ?? 'unknown', status: e.status });
      metrics.taskIterations.observe(e.iterations);
      workflows.delete(e.taskId);
    },
    options,
  );
}

/** A finished task as persisted (the task store's rows). */
export interface PersistedTask {
  readonly workflow: string;
  readonly status: string;
  readonly iterations: number;
  /** Suggestion counts of its successful review steps. */
  readonly reviewSuggestions: readonly number[];
}

/** Fills a registry from what the database remembers: every agent call, circuit and task. */
export function loadPersistedRecords(
  metrics: Metrics,
  records: { readonly health?: AgentHealthStore; readonly tasks?: readonly PersistedTask[] },
  now: number = Date.now(),
): void {
  const { health, tasks } = records;
  if (health) {
    for (const a of health.aggregates()) {
      observeCall(
        metrics,
        {
          agent: a.agent,
          role: a.role,
          status: a.outcome,
          ...(a.failureKind ? { failureKind: a.failureKind } : {}),
          inputTokens: a.inputTokens,
          outputTokens: a.outputTokens,
          costUsd: a.costUsd,
        },
        a.calls,
      );
    }
    for (const d of health.durations()) metrics.agentCallDuration.observe({ agent: d.agent, role: d.role }, d.durationMs / 1000);
    for (const { agent, snapshot } of health.circuits()) {
      const expired = snapshot.state === 'open' && snapshot.openUntil !== undefined && now >= snapshot.openUntil;
      metrics.circuitState.set({ agent }, CIRCUIT_STATE_VALUE[expired ? 'half_open' : snapshot.state]);
    }
  }
  for (const task of tasks ?? []) {
    metrics.tasks.inc({ workflow: task.workflow, status: task.status });
    if (task.status !== 'pending' && task.status !== 'in_progress') metrics.taskIterations.observe(task.iterations);
    for (const count of task.reviewSuggestions) metrics.reviewSuggestions.observe(count);
  }
}
