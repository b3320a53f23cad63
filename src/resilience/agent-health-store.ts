/**
 * Agent health, persisted: every agent call (agent, role, outcome, failure kind, duration,
 * tokens, cost) and each agent's circuit state, in the project's SQLite database. This is what
 * the planner routes on, what `agents --json` shows as `health`, and what `metrics` exports —
 * the original recorded nothing, so its success-rate routing never did anything.
 */
import { FAILURE_KINDS, type FailureKind } from '../adapters/spec.js';
import { errorMessage } from '../shared/errors.js';
import { migrate, type Db, type Migration } from '../storage/database.js';
import { turnWrites } from '../storage/turn-writes.js';
import { HEALTH_KINDS } from './policy.js';
import { CIRCUIT_STATES, reopensAt, type CircuitSnapshot, type CircuitState, type CircuitStore } from './circuit-breaker.js';

export const HEALTH_MIGRATIONS: readonly Migration[] = [
  {
    id: 'health/001-agent-calls-and-circuits',
    up: `
      CREATE TABLE agent_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        agent TEXT NOT NULL,
        role TEXT NOT NULL,
        task_id TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'skipped')),
        failure_kind TEXT,
        attempt INTEGER NOT NULL DEFAULT 1,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        started_at TEXT NOT NULL
      );
      CREATE INDEX agent_calls_by_agent ON agent_calls (agent, id);
      CREATE TABLE agent_circuits (
        agent TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        opened_at INTEGER,
        open_until INTEGER,
        trial_started_at INTEGER,
        updated_at TEXT NOT NULL
      );
    `,
  },
];

/** How one call ended: `skipped` = not made because the circuit was open. */
export type CallOutcome = 'success' | 'failure' | 'skipped';

export interface AgentCallRecord {
  readonly agent: string;
  readonly role: string;
  readonly taskId?: string;
  readonly outcome: CallOutcome;
  readonly failureKind?: FailureKind;
  /** 1 for the first attempt, 2 for the first retry... */
  readonly attempt?: number;
  readonly durationMs: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costUsd?: number;
  /** Default: now. */
  readonly startedAt?: Date;
}

/** The `health` object of `agents --json` (snake_case: it is the JSON the issue specifies). */
export interface AgentHealthJson {
  readonly calls: number;
  readonly success_rate: number | null;
  readonly last_failure_kind: FailureKind | null;
  readonly circuit: CircuitState;
  readonly open_until: string | null;
}

export interface AgentHealth {
  readonly agent: string;
  /** Calls that count for its health: made (not skipped), and not ended by a cancel. */
  readonly calls: number;
  readonly successes: number;
  /** Successes over the last `HEALTH_WINDOW` calls made; undefined with no calls. */
  readonly successRate?: number;
  /** Calls in the window the rate was computed over. */
  readonly windowCalls: number;
  readonly lastFailureKind?: FailureKind;
  readonly circuit: CircuitSnapshot;
}

/** Recent calls that make up the success rate, so an agent that recovers can be planned again. */
export const HEALTH_WINDOW = 100;

export interface CallAggregate {
  readonly agent: string;
  readonly role: string;
  readonly outcome: CallOutcome;
  readonly failureKind: FailureKind | null;
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export interface AgentHealthStore extends CircuitStore {
  recordCall(call: AgentCallRecord): void;
  /** Health of one agent (a fresh agent: no calls, circuit closed). */
  health(agent: string): AgentHealth;
  /** Health of every agent with a record or a circuit. */
  allHealth(): AgentHealth[];
  /** Calls grouped by agent, role, outcome and failure kind, with their token and cost sums. */
  aggregates(): CallAggregate[];
  /** Every recorded duration of made calls, per agent and role (for the histogram). */
  durations(): { readonly agent: string; readonly role: string; readonly durationMs: number }[];
  /** Every persisted circuit. */
  circuits(): { readonly agent: string; readonly snapshot: CircuitSnapshot }[];
  /** Failures of one kind since the agent's last success (a success since means they are behind it). */
  failuresSinceSuccess(agent: string, kind: FailureKind): UnresolvedFailures;
}

export interface UnresolvedFailures {
  readonly count: number;
  /** When the last of them started (ISO) and the task it was part of. */
  readonly lastAt?: string;
  readonly taskId?: string;
}

/*
 * Rows come from this store's own tables, whose columns are typed and NOT NULL where the row types
 * say so; what SQLite cannot enforce — the closed sets of states, outcomes and failure kinds — is
 * checked when read, so a value written by another version reads as unknown rather than as a lie.
 * (No zod here: `agents` and `doctor` read health at start-up, where loading zod costs ~40 ms.)
 */
interface CircuitRow {
  readonly agent: string;
  readonly state: string;
  readonly consecutive_failures: number;
  readonly opened_at: number | null;
  readonly open_until: number | null;
  readonly trial_started_at: number | null;
}

interface AggregateRow {
  readonly agent: string;
  readonly role: string;
  readonly outcome: string;
  readonly failure_kind: string | null;
  readonly calls: number;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly cost_usd: number | null;
}

const OUTCOMES = ['success', 'failure', 'skipped'] as const;

function oneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/**
 * The calls a success rate is computed over: made calls (not skipped by an open circuit) that
 * succeeded or failed in a way that is the agent's or its provider's (policy.ts `health`). A
 * user's cancel says nothing about the agent, so it neither lowers nor dilutes the rate.
 */
const RATED_CALL = `outcome = 'success' OR (outcome = 'failure' AND failure_kind IN (${[...HEALTH_KINDS].map((k) => `'${k}'`).join(', ')}))`;

export interface AgentHealthStoreOptions {
  /** A call record the database refused (it is written after its turn, so no caller sees the error). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The store over an open database; applies its migrations first. Call records are written at the
 * end of the turn they are made in (storage/turn-writes.ts), with whatever else waits on the
 * connection: the record of one agent's call is then not a commit on the path to the next agent.
 * Every read of the records writes what waits first.
 */
export function createAgentHealthStore(db: Db, options: AgentHealthStoreOptions = {}): AgentHealthStore {
  migrate(db, HEALTH_MIGRATIONS);
  const turn = turnWrites(db);
  const onError = options.onError ?? ((error: unknown) => process.emitWarning(`could not record an agent call: ${errorMessage(error)}`));
  const insert = db.prepare(
    `INSERT INTO agent_calls (agent, role, task_id, outcome, failure_kind, attempt, duration_ms, input_tokens, output_tokens, cost_usd, started_at)
     VALUES (@agent, @role, @taskId, @outcome, @failureKind, @attempt, @durationMs, @inputTokens, @outputTokens, @costUsd, @startedAt)`,
  );
  const countAll = db.prepare<[string], { calls: number; successes: number | null }>(
    `SELECT COUNT(*) AS calls, SUM(outcome = 'success') AS successes FROM agent_calls WHERE agent = ? AND (${RATED_CALL})`,
  );
  const recent = db.prepare<[string, number], { calls: number; successes: number | null }>(
    `SELECT COUNT(*) AS calls, SUM(outcome = 'success') AS successes FROM
       (SELECT outcome FROM agent_calls WHERE agent = ? AND (${RATED_CALL}) ORDER BY id DESC LIMIT ?)`,
  );
  const lastFailure = db.prepare<[string], { failure_kind: string | null }>(
    `SELECT failure_kind FROM agent_calls WHERE agent = ? AND outcome = 'failure' ORDER BY id DESC LIMIT 1`,
  );
  const sinceSuccess = db.prepare<[string, string, string], { count: number; last_at: string | null; task_id: string | null }>(
    `SELECT COUNT(*) AS count, MAX(started_at) AS last_at,
       (SELECT task_id FROM agent_calls l WHERE l.agent = f.agent AND l.outcome = 'failure' AND l.failure_kind = f.failure_kind ORDER BY id DESC LIMIT 1) AS task_id
     FROM agent_calls f
     WHERE f.agent = ? AND f.outcome = 'failure' AND f.failure_kind = ?
       AND f.id > COALESCE((SELECT MAX(id) FROM agent_calls s WHERE s.agent = ? AND s.outcome = 'success'), 0)`,
  );
  const loadCircuit = db.prepare<[string], CircuitRow>('SELECT * FROM agent_circuits WHERE agent = ?');
  const saveCircuit = db.prepare(
    `INSERT INTO agent_circuits (agent, state, consecutive_failures, opened_at, open_until, trial_started_at, updated_at)
     VALUES (@agent, @state, @failures, @openedAt, @openUntil, @trialStartedAt, @updatedAt)
     ON CONFLICT (agent) DO UPDATE SET state = excluded.state, consecutive_failures = excluded.consecutive_failures,
       opened_at = excluded.opened_at, open_until = excluded.open_until, trial_started_at = excluded.trial_started_at,
       updated_at = excluded.updated_at`,
  );

  const snapshotOf = (r: CircuitRow | undefined): CircuitSnapshot | undefined => {
    if (!r || !oneOf(CIRCUIT_STATES, r.state)) return undefined;
    return {
      state: r.state,
      consecutiveFailures: r.consecutive_failures,
      ...(r.opened_at === null ? {} : { openedAt: r.opened_at }),
      ...(r.open_until === null ? {} : { openUntil: r.open_until }),
      ...(r.trial_started_at === null ? {} : { trialStartedAt: r.trial_started_at }),
    };
  };

  const store: AgentHealthStore = {
    recordCall(call) {
      const row = {
        agent: call.agent,
        role: call.role,
        taskId: call.taskId ?? null,
        outcome: call.outcome,
        failureKind: call.failureKind ?? null,
        attempt: call.attempt ?? 1,
        durationMs: Math.max(0, Math.round(call.durationMs)),
        inputTokens: call.inputTokens ?? 0,
        outputTokens: call.outputTokens ?? 0,
        costUsd: call.costUsd ?? null,
        startedAt: (call.startedAt ?? new Date()).toISOString(),
      };
      turn.defer({ write: () => insert.run(row), onError });
    },
    loadCircuit(agent) {
      return snapshotOf(loadCircuit.get(agent));
    },
    saveCircuit(agent, snapshot) {
      saveCircuit.run({
        agent,
        state: snapshot.state,
        failures: snapshot.consecutiveFailures,
        openedAt: snapshot.openedAt ?? null,
        openUntil: snapshot.openUntil ?? null,
        trialStartedAt: snapshot.trialStartedAt ?? null,
        updatedAt: new Date().toISOString(),
      });
    },
    health(agent) {
      turn.settle();
      const all = countAll.get(agent) ?? { calls: 0, successes: 0 };
      const window = recent.get(agent, HEALTH_WINDOW) ?? { calls: 0, successes: 0 };
      const kind = lastFailure.get(agent)?.failure_kind;
      return {
        agent,
        calls: all.calls,
        successes: all.successes ?? 0,
        ...(window.calls > 0 ? { successRate: (window.successes ?? 0) / window.calls } : {}),
        windowCalls: window.calls,
        ...(oneOf(FAILURE_KINDS, kind) ? { lastFailureKind: kind } : {}),
        circuit: store.loadCircuit(agent) ?? { state: 'closed', consecutiveFailures: 0 },
      };
    },
    allHealth() {
      turn.settle();
      const names = db
        .prepare<[], { agent: string }>('SELECT agent FROM agent_calls UNION SELECT agent FROM agent_circuits ORDER BY agent')
        .all();
      return names.map((row) => store.health(row.agent));
    },
    aggregates() {
      turn.settle();
      const rows = db
        .prepare<[], AggregateRow>(
          `SELECT agent, role, outcome, failure_kind, COUNT(*) AS calls, SUM(input_tokens) AS input_tokens,
             SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd
           FROM agent_calls GROUP BY agent, role, outcome, failure_kind ORDER BY agent, role, outcome`,
        )
        .all();
      return rows.flatMap((r) => {
        if (!oneOf(OUTCOMES, r.outcome)) return [];
        return [
          {
            agent: r.agent,
            role: r.role,
            outcome: r.outcome,
            failureKind: oneOf(FAILURE_KINDS, r.failure_kind) ? r.failure_kind : null,
            calls: r.calls,
            inputTokens: r.input_tokens ?? 0,
            outputTokens: r.output_tokens ?? 0,
            costUsd: r.cost_usd ?? 0,
          },
        ];
      });
    },
    durations() {
      turn.settle();
      return db
        .prepare<[], { agent: string; role: string; duration_ms: number }>(
          `SELECT agent, role, duration_ms FROM agent_calls WHERE outcome != 'skipped'`,
        )
        .all()
        .map((r) => ({ agent: r.agent, role: r.role, durationMs: r.duration_ms }));
    },
    failuresSinceSuccess(agent, kind) {
      turn.settle();
      const row = sinceSuccess.get(agent, kind, agent);
      if (!row || row.count === 0) return { count: 0 };
      return { count: row.count, ...(row.last_at ? { lastAt: row.last_at } : {}), ...(row.task_id ? { taskId: row.task_id } : {}) };
    },
    circuits() {
      return db
        .prepare<[], CircuitRow>('SELECT * FROM agent_circuits ORDER BY agent')
        .all()
        .flatMap((row) => {
          const snapshot = snapshotOf(row);
          return snapshot ? [{ agent: row.agent, snapshot }] : [];
        });
    },
  };
  return store;
}

/**
 * The `health` JSON of one agent, with the circuit as it reads now (an open circuit past its
 * recovery timeout reads half_open). Pass the agent's current recovery timeout when known.
 */
export function healthJson(health: AgentHealth, now: number = Date.now(), recoveryTimeoutMs?: number): AgentHealthJson {
  const circuit = health.circuit;
  const until = recoveryTimeoutMs === undefined ? circuit.openUntil : reopensAt(circuit, recoveryTimeoutMs);
  const expired = circuit.state === 'open' && until !== undefined && now >= until;
  const state: CircuitState = expired ? 'half_open' : circuit.state;
  return {
    calls: health.calls,
    success_rate: health.successRate === undefined ? null : Math.round(health.successRate * 1000) / 1000,
    last_failure_kind: health.lastFailureKind ?? null,
    circuit: state,
    open_until: state === 'open' && until !== undefined ? new Date(until).toISOString() : null,
  };
}
