/**
 * The agent adapter specification, version 1. Every way of running an agent — a coding CLI,
 * an HTTP model server, an in-process model — is an `AgentAdapterV1` built by a `createX(settings)`
 * factory. Resilience, metrics and the engine wrap or consume this type and nothing below it.
 */
import type { Role } from '../shared/roles.js';
import type { AdapterKind } from '../config/workflows.js';

/**
 * What went wrong, as one closed set that resilience decides on (retry, breaker, fallback).
 * - auth: credentials missing or rejected (401/403) — never retried, never falls back.
 * - rate_limit: 429 or the provider's rate-limit signal — transient.
 * - quota: the account's quota or credit is spent — transient for fallback, not retried.
 * - server: 5xx from the provider — transient.
 * - network: connection refused, DNS, reset, stream cut off — transient.
 * - timeout: the step's time ran out — transient.
 * - cancelled: the user cancelled — stops the task.
 * - not_installed: the binary is missing or the model is not pulled — falls back.
 * - bad_output: the agent's output could not be understood.
 * - task_failed: the agent ran and reported failure at the task itself.
 * - config: the agent's own configuration is wrong (bad flag, untrusted folder, bad model name).
 * - circuit_open: skipped without running because its circuit breaker is open.
 */
export const FAILURE_KINDS = [
  'auth',
  'rate_limit',
  'quota',
  'server',
  'network',
  'timeout',
  'cancelled',
  'not_installed',
  'bad_output',
  'task_failed',
  'config',
  'circuit_open',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface AgentError {
  readonly kind: FailureKind;
  readonly message: string;
  /** Seconds the provider asked us to wait, when it said so. */
  readonly retryAfterSeconds?: number;
  /** What a person does about it (sign in, set a variable, start a server); see failure-fixes.ts. */
  readonly fix?: string;
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number;
}

export type FileChangeKind = 'add' | 'update' | 'delete';

/** The stream an adapter run produces. Usage events add up; the last `finish` ends the run. */
export type AgentEvent =
  | { readonly type: 'start'; readonly pid?: number; readonly detail?: string }
  | { readonly type: 'text-delta'; readonly text: string }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool-call'; readonly name: string; readonly id?: string; readonly input?: unknown }
  | { readonly type: 'tool-result'; readonly id?: string; readonly ok: boolean; readonly output?: string }
  | { readonly type: 'file-change'; readonly path: string; readonly kind: FileChangeKind }
  /**
   * A tool call the CLI refused to carry out (permission mode, sandbox, a path outside the
   * workspace): whatever it would have done did not happen, even if the agent says it did.
   */
  | {
      readonly type: 'refusal';
      readonly tool: string;
      readonly id?: string;
      /** The file or command it was aimed at, when known. */
      readonly target?: string;
      readonly reason: string;
    }
  /**
   * A whole file a text-only (local) agent proposed in a fenced code block. `applied` tells
   * whether it was written (settings.apply_local_edits); `note` says why not when refused.
   */
  | {
      readonly type: 'proposed-change';
      readonly path: string;
      readonly content: string;
      readonly applied: boolean;
      readonly note?: string;
    }
  | { readonly type: 'usage'; readonly usage: Usage }
  | { readonly type: 'session'; readonly sessionId: string }
  | { readonly type: 'error'; readonly error: AgentError }
  | {
      readonly type: 'finish';
      readonly success: boolean;
      /** The final answer when the agent states it separately from its text stream. */
      readonly output?: string;
      readonly error?: AgentError;
    };

export interface AgentRequest {
  readonly prompt: string;
  readonly role: Role;
  /** The working directory the agent works in (absolute). */
  readonly cwd: string;
}

/**
 * Which task, iteration and step an agent call belongs to. It travels with the call so that
 * resilience, call records and process records attribute it without any shared "current task"
 * state — several tasks can run in one process.
 */
export interface CallContext {
  readonly taskId: string;
  /** Absent for calls outside the iteration loop (the dynamic planner). */
  readonly iteration?: number;
  readonly stepIndex?: number;
}

export interface AgentRunOptions {
  readonly signal?: AbortSignal;
  readonly context?: CallContext;
  /** The agent's stderr as it arrives (CLI agents only), for this call. */
  readonly onStderr?: (chunk: string) => void;
}

export interface Availability {
  readonly available: boolean;
  /** Where it was found or why not ("/usr/bin/claude", "connection refused"). */
  readonly detail: string;
}

export interface AgentAdapterV1 {
  readonly specificationVersion: 'agent-v1';
  /** The agent's name in the configuration. */
  readonly name: string;
  readonly kind: AdapterKind;
  readonly transport: 'cli' | 'http' | 'embedded';
  /** Runs without a cloud provider (kept in offline mode). */
  readonly local: boolean;
  /** Runs the agent once. Never throws for agent failures: they arrive as error/finish events. */
  doRun(request: AgentRequest, options?: AgentRunOptions): AsyncIterable<AgentEvent>;
  checkAvailable(options?: { readonly signal?: AbortSignal }): Promise<Availability>;
}

/** A refused tool call, as a step records it. */
export interface Refusal {
  readonly tool: string;
  readonly target?: string;
  readonly reason: string;
}

export interface ProposedChangeSummary {
  readonly path: string;
  readonly content: string;
  readonly applied: boolean;
  readonly note?: string;
}

/** The result folded from an adapter's event stream. */
export interface AgentResult {
  readonly agent: string;
  readonly success: boolean;
  readonly output: string;
  readonly error?: AgentError;
  /** Paths relative to the working directory. */
  readonly filesModified: readonly string[];
  readonly suggestions: readonly string[];
  /** Files a text-only agent proposed (fenced code blocks with paths); see adapters/local-edits. */
  readonly proposedChanges?: readonly ProposedChangeSummary[];
  /** Tool calls the CLI refused (none: the field is absent). */
  readonly refusals?: readonly Refusal[];
  readonly usage: Usage;
  readonly sessionId?: string;
  readonly durationMs: number;
}

/** Thrown when an adapter is asked for something its kind cannot do. */
export class AdapterCapabilityError extends Error {
  constructor(kind: AdapterKind, capability: string) {
    super(`${kind} agents cannot ${capability}`);
    this.name = 'AdapterCapabilityError';
  }
}
