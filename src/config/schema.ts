/**
 * The single definition of the configuration (`agents.yaml`). TypeScript types are inferred
 * from it and the JSON Schema for editors is generated from it (`npm run schema`).
 * Keys are snake_case because that is the file format users already write.
 */
import { z } from 'zod';
import { ROLES, ROLE_ALIASES, normalizeRole } from '../shared/roles.js';

/** How an agent is driven. `cli` picks the adapter from the command's name. */
export const AGENT_TYPES = [
  'cli',
  'claude',
  'codex',
  'gemini',
  'copilot',
  'generic',
  'ollama',
  'llamacpp',
  'openai-compatible',
  'localai',
  'text-generation-webui',
  'embedded',
] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires at once, so a
 * `timeout: 9999999` would time every call out immediately. Seconds-valued settings stay below it.
 */
export const TIMER_MAX_SECONDS = 2_147_483;
/** An hour: a retry wait beyond that is an outage, better served by the circuit breaker. */
const RETRY_DELAY_MAX_SECONDS = 3_600;

/** A duration in seconds that a timer can hold. */
const seconds = (): z.ZodNumber =>
  z.number().positive().max(TIMER_MAX_SECONDS, `at most ${TIMER_MAX_SECONDS} seconds (about 24.8 days, the longest timer Node can hold)`);
/** A count: a whole number from `min` to `max`. */
const count = (min: number, max: number): z.ZodNumber => z.number().int().min(min).max(max);

const roleName = z
  .string()
  .refine((value) => normalizeRole(value) !== undefined, {
    message: `unknown role (expected one of ${[...ROLES, ...Object.keys(ROLE_ALIASES)].join(', ')})`,
  });

/** A path inside the repository: relative, and never climbing out of it with `..`. */
const repositoryPath = z
  .string()
  .min(1)
  .refine((value) => !value.startsWith('/') && !value.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the repository (relative, without "..")',
  });

const priceSchema = z.strictObject({
  /** US dollars per million input tokens. */
  input_per_mtok: z.number().nonnegative().max(100_000),
  /** US dollars per million output tokens. */
  output_per_mtok: z.number().nonnegative().max(100_000),
});

const retrySchema = z.strictObject({
  /** Attempts per agent call, the first included: 1 = no retry. Only transient failures retry. */
  max_attempts: count(1, 10).default(2),
  /** Seconds before the first retry; doubles each attempt, with full jitter. */
  base_delay: z.number().nonnegative().max(RETRY_DELAY_MAX_SECONDS).default(1),
  /** Upper bound in seconds of one wait (a provider's retry-after is honoured up to this). */
  max_delay: z.number().nonnegative().max(RETRY_DELAY_MAX_SECONDS).default(30),
});

const circuitBreakerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Consecutive transient failures that open an agent's circuit. */
  failure_threshold: count(1, 1_000).default(5),
  /** Seconds an open circuit waits before one trial call (half-open). */
  recovery_timeout: seconds().default(60),
});

/** Resilience policy: global in settings.resilience, overridable per agent (agents.X.resilience). */
export const resilienceSchema = z.strictObject({
  retry: retrySchema.default(retrySchema.parse({})),
  circuit_breaker: circuitBreakerSchema.default(circuitBreakerSchema.parse({})),
  /** Calls per minute per agent (token bucket); none = unlimited. At least one call per 1,000 minutes. */
  rate_limit: z.number().min(0.001).max(1_000_000).optional(),
  /** Calls of one agent running at the same time (within one process); none = unlimited. */
  max_concurrency: count(1, 1_000).optional(),
});
export type ResilienceConfig = z.infer<typeof resilienceSchema>;

/** Per-agent override: any field given replaces the global one. */
const agentResilienceSchema = z.strictObject({
  retry: retrySchema.partial().optional(),
  circuit_breaker: circuitBreakerSchema.partial().optional(),
  rate_limit: z.number().min(0.001).max(1_000_000).optional(),
  max_concurrency: count(1, 1_000).optional(),
});
export type AgentResilienceConfig = z.infer<typeof agentResilienceSchema>;

export const agentSchema = z.strictObject({
  type: z.enum(AGENT_TYPES).default('cli'),
  /** Executable for CLI agents (argument array semantics: no shell). */
  command: z.string().min(1).optional(),
  /** Extra arguments added after the adapter's own. */
  args: z.array(z.string()).default([]),
  /** Extra environment variables for the agent's process; `${NAME}` expands from ours. */
  env: z.record(z.string(), z.string()).default({}),
  /** The model name; for `embedded` agents the path of a .gguf file (`~/` = home, relative = from the current directory). */
  model: z.string().min(1).optional(),
  /** Base URL of an HTTP agent (Ollama, llama-server, OpenAI-compatible). */
  endpoint: z.url().optional(),
  /** Seconds before the agent's process group is killed. */
  timeout: seconds().default(3600),
  enabled: z.boolean().default(true),
  /** A local agent: kept in offline mode. Defaults by type (HTTP agents are local). */
  offline: z.boolean().optional(),
  role: z.string().optional(),
  description: z.string().default(''),
  capabilities: z.array(z.string()).default([]),
  /** Generic CLI agents: how the prompt reaches the command. */
  prompt_via: z.enum(['stdin', 'arg']).default('stdin'),
  /** Generic CLI agents: what stdout carries. */
  output_format: z.enum(['text', 'json', 'jsonl']).default('text'),
  /** Generic CLI agents: dot path of the answer in JSON / the last JSONL object carrying it. */
  output_field: z.string().optional(),
  /** HTTP agents: name of the environment variable holding the API key. */
  api_key_env: z.string().optional(),
  /** Ollama: how long the model stays loaded after a call. */
  keep_alive: z.string().optional(),
  /** llama-server: OpenAI chat API or the native /completion API. */
  api: z.enum(['chat', 'completion']).optional(),
  /**
   * Sampling options passed to HTTP backends (temperature, num_ctx, ...). Embedded agents accept
   * threads, context_size, max_tokens, temperature, top_k, top_p, seed (others are refused).
   */
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  /** Allow the CLI's bypass-everything mode for edit roles. Off unless set. */
  allow_bypass_permissions: z.boolean().default(false),
  /** Price used to estimate cost when the CLI does not report it. */
  price: priceSchema.optional(),
  /** Overrides of settings.resilience for this agent. */
  resilience: agentResilienceSchema.optional(),
});
export type AgentConfig = z.infer<typeof agentSchema>;

const legacyStepSchema = z.strictObject({
  agent: z.string().min(1),
  task: roleName,
  description: z.string().optional(),
  fallback: z.string().min(1).optional(),
});

const structuredStepSchema = z.strictObject({
  agent: z.string().min(1),
  role: roleName,
  description: z.string().optional(),
  fallback: z.string().min(1).optional(),
});

const structuredWorkflowSchema = z.strictObject({
  description: z.string().default(''),
  offline: z.boolean().default(false),
  max_iterations: count(1, 100).optional(),
  steps: z.array(z.union([structuredStepSchema, legacyStepSchema])).min(1),
});

export const workflowSchema = z.union([
  z.array(z.union([legacyStepSchema, structuredStepSchema])).min(1),
  structuredWorkflowSchema,
]);
export type WorkflowConfig = z.infer<typeof workflowSchema>;

const templatesSchema = z
  .strictObject(Object.fromEntries(ROLES.map((role) => [role, z.string().optional()])))
  .default({});

/**
 * Queue mode: tasks become BullMQ jobs on Redis, run by `ai-orchestrator worker` processes on any
 * machine, while the submitting process (`serve`, `run --queue`) keeps the task and its events.
 */
export const queueSettingsSchema = z.strictObject({
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL'),
  /** Prefix of the queues and keys in Redis: fleets sharing one Redis use different names. */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ (at most 40)').default('aio'),
  /** Seconds a worker may go silent (killed, cut off) before another worker takes its task over. */
  stall_timeout: z.number().min(1).max(3_600).default(30),
  /** Takeovers a task may have; one more stall fails it. */
  max_takeovers: count(0, 100).default(3),
  /** A git remote of the repository whose URL queued tasks name (default: the repository's own path). */
  remote: z.string().min(1).max(200).optional(),
  /** Hours a finished task's events, checkpoint and result stay in Redis. */
  keep_hours: z.number().positive().max(24 * 365).default(24),
});
export type QueueSettings = z.infer<typeof queueSettingsSchema>;

export const settingsSchema = z.strictObject({
  /** Tasks one process (a `serve`, a `shell`) runs at once; more wait, `queued`, for a free slot. */
  max_parallel_tasks: count(1, 64).default(4),
  max_iterations: count(1, 100).default(3),
  /** Default working directory of agents when `--cwd` is not given ("." = where you run). */
  workspace_dir: z.string().default('.'),
  /** Where the final output of each task is written as markdown (relative: under the home). */
  output_dir: z.string().default('output'),
  log_level: z
    .enum(['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'debug', 'info', 'warning', 'warn', 'error'])
    .default('INFO'),
  /** Log file (relative: under the home); empty for none. */
  log_file: z.string().default(''),
  create_reports: z.boolean().default(true),
  /** JSON execution reports (relative: under the home). */
  reports_dir: z.string().default('reports'),
  /** Stop when no review has more suggestions than this. */
  min_suggestions_threshold: count(0, 10_000).default(3),
  /** Also stop when the suggestion count stops falling between iterations. */
  stop_on_plateau: z.boolean().default(false),
  colored_output: z.boolean().default(true),
  /** Seconds without any output from a running step before the live display says so. */
  stall_warning: z.number().int().min(5).max(86_400).default(120),
  project_path: z.string().default(''),
  enable_context_memory: z.boolean().default(true),
  /** Context memory: how text is embedded for semantic search, and the prompt budget. */
  memory: z
    .strictObject({
      /** lexical = built-in offline (word/char n-gram hashing: lexical, not semantic); none = keyword only. */
      embedding: z.enum(['lexical', 'none', 'ollama', 'openai-compatible']).default('lexical'),
      /** Model for ollama / openai-compatible embeddings (e.g. nomic-embed-text). */
      embedding_model: z.string().min(1).optional(),
      /** Base URL: Ollama (default http://127.0.0.1:11434) or an OpenAI-compatible /v1. */
      embedding_endpoint: z.url().optional(),
      /** Name of the environment variable holding the embedding API key. */
      embedding_api_key_env: z.string().optional(),
      /** Tokens of memory put into each step prompt (≈ 4 characters per token). */
      token_budget: count(0, 1_000_000).default(1000),
    })
    .default({ embedding: 'lexical', token_budget: 1000 }),
  offline: z
    .strictObject({
      enabled: z.boolean().default(false),
      auto_detect: z.boolean().default(true),
      /** URL probed to decide connectivity (env CONNECTIVITY_CHECK_URL); none = judge by failures. */
      probe_url: z.string().optional(),
      /** Seconds a connectivity verdict is cached. */
      probe_ttl: seconds().default(60),
    })
    .default({ enabled: false, auto_detect: true, probe_ttl: 60 }),
  fallback: z
    .strictObject({
      enabled: z.boolean().default(true),
      map: z.record(z.string(), z.string()).default({}),
    })
    .default({ enabled: true, map: {} }),
  /** Prompt templates per role, overriding the built-in ones. */
  templates: templatesSchema,
  /** Stop a task before the next step once this many US dollars are spent. */
  budget_usd: z.number().positive().max(1_000_000).optional(),
  /** Prices per model name (US dollars per million tokens), used when an agent has no `price`. */
  prices: z.record(z.string(), priceSchema).default({}),
  resilience: resilienceSchema.default(resilienceSchema.parse({})),
  /** The dynamic planner (`--workflow dynamic`, or no `default` workflow). */
  planner: z
    .strictObject({
      /** The agent asked for the plan; default: first available of claude, gemini, codex, local-instruct. */
      agent: z.string().min(1).optional(),
      /** Agents below this recorded success rate are not planned... */
      min_success_rate: z.number().min(0).max(1).default(0.6),
      /** ...once they have at least this many recorded calls. */
      min_calls: count(1, 1_000_000).default(5),
    })
    .default({ min_success_rate: 0.6, min_calls: 5 }),
  /** Write fenced code blocks with file paths from local agents into the working directory. */
  apply_local_edits: z.boolean().default(false),
  /** Where tasks run: `none` = in the working directory; `worktree` = each in its own git worktree (as `run --worktree`). */
  isolation: z.enum(['none', 'worktree']).default('none'),
  worktree: z
    .strictObject({
      /** Folder of the task worktrees (relative: under the home). */
      dir: z.string().min(1).default('worktrees'),
      /** Untracked files copied from the repository into each worktree (e.g. `.env`); paths inside the repository only. */
      copy: z.array(repositoryPath).default([]),
    })
    .default({ dir: 'worktrees', copy: [] }),
  /** Change detection outside git: how many files a snapshot of the working directory looks at, at most. */
  snapshot: z
    .strictObject({ max_files: z.number().int().min(1).default(20_000) })
    .default({ max_files: 20_000 }),
  /**
   * Bytes of one step's output kept in memory, the database, events and reports (its beginning
   * and end around a "[… N bytes cut]" marker). 1 KiB to 256 MiB; default 1 MiB.
   */
  output_limit_bytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(1024 * 1024),
  /**
   * Also write each step's whole output (redacted, uncut) to
   * `$AI_ORCHESTRATOR_HOME/full-output/<task>/<iteration>-<step>-<agent>.log`.
   */
  keep_full_output: z.boolean().default(false),
  /** Queue mode (absent: every task runs in the process that was asked). */
  queue: queueSettingsSchema.optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const configSchema = z.strictObject({
  agents: z.record(z.string().min(1), agentSchema),
  workflows: z.record(z.string().min(1), workflowSchema).default({}),
  settings: settingsSchema.default(settingsSchema.parse({})),
  /** The agentic-team section of older files: accepted so they load, not used. */
  agentic_team: z.unknown().optional(),
});
export type OrchestratorConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
