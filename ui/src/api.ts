/** The server's JSON API as the page uses it (same origin; the login cookie authenticates). */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}

export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    credentials: 'same-origin',
  });
  const json = (await response.json().catch(() => ({}))) as T & { error?: ApiError };
  if (!response.ok) throw new RequestFailed(response.status, json.error ?? { code: 'HTTP', message: `HTTP ${response.status}` });
  return json;
}

export interface WorkflowStep {
  readonly agent: string;
  readonly task: string;
  readonly description: string;
  readonly fallback: string | null;
}

export interface Workflow {
  readonly name: string;
  readonly description: string;
  readonly offline: boolean;
  readonly steps: readonly WorkflowStep[];
}

export interface TaskSummary {
  readonly task_id: string;
  readonly task: string;
  readonly status: string;
  readonly workflow: string;
  readonly iterations: number;
  readonly created_at: string;
  readonly source: string;
  readonly reason: string | null;
}

export interface AgentInfo {
  readonly name: string;
  readonly type: string;
  readonly role: string;
  readonly enabled: boolean;
  readonly available: boolean;
  readonly availability: string;
  readonly description: string;
  readonly health?: { calls: number; success_rate: number | null; last_failure_kind: string | null; last_failure_fix?: string | null; circuit: string; open_until: string | null };
}

export const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
export const RESUMABLE_STATUSES = new Set(['failed', 'cancelled', 'interrupted']);

export interface MemoryHit {
  readonly node: { readonly id: string; readonly type: string; readonly title: string; readonly content: string; readonly tags: readonly string[]; readonly createdAt: string };
  readonly score: number;
  readonly matchType: string;
  readonly highlights: readonly string[];
}

export interface ModelBackend {
  readonly backend: string;
  readonly url: string;
  readonly online: boolean;
  readonly loading: boolean;
  readonly version: string | null;
  readonly models: readonly string[];
  readonly agents: readonly string[];
  readonly error: string | null;
  /** What to do when it is down (`ollama serve`). */
  readonly fix?: string | null;
  /** Configured models it does not have, with the command that gets them. */
  readonly missing_models?: readonly { model: string; agents: readonly string[]; fix: string }[];
}

export interface ModelsStatus {
  readonly summary: { local_agents: number; enabled_local_agents: number; online_backends: number; backends: number; models: number };
  readonly backends: readonly ModelBackend[];
  readonly agents: readonly { name: string; type: string; enabled: boolean; model: string | null }[];
}

export interface DiffFile {
  readonly path: string;
  readonly status: string;
  readonly additions: number | null;
  readonly deletions: number | null;
  readonly binary: boolean;
  readonly patch: string | null;
  readonly omitted: 'binary' | 'limit' | null;
  readonly cut: boolean;
}

export interface TaskDiff {
  readonly available: boolean;
  readonly reason?: string;
  readonly to_label?: string;
  readonly branch?: string | null;
  readonly files: readonly DiffFile[];
  readonly totals?: { files: number; additions: number; deletions: number };
  readonly truncated?: boolean;
}
