/**
 * The scripting vocabulary of the fake provider: what a request looks like once decoded (the same
 * shape for all four wire APIs) and what a script may answer. A script is a plain function of the
 * request and the requests before it, so a test can branch on content ("has a tool result yet?",
 * "how many times was I asked?") instead of on brittle request order.
 */

/** The wire API a request came in on. */
export type ProviderApi = 'anthropic' | 'openai-responses' | 'openai-chat' | 'gemini';

/** One request as the fake saw it, decoded enough for a script to decide the reply. */
export interface ProviderRequest {
  readonly api: ProviderApi;
  readonly method: string;
  /** Path with query string, e.g. `/v1/messages?beta=true`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (unknown: scripts that need more than the fields below inspect it). */
  readonly body: unknown;
  /** The model the client asked for, when the body (or Gemini's path) names one. */
  readonly model: string | undefined;
  /** Whether the client asked for a stream (SSE). */
  readonly stream: boolean;
  /** How many tool results the conversation already carries (0 = first turn of a task). */
  readonly toolResults: number;
  /** The text of all user messages, joined by newlines (the agent's prompt is in here). */
  readonly userText: string;
  /**
   * A side call the agent makes for itself (Gemini's router / JSON classifier), not a turn of the
   * task. The default script answers these generically; custom scripts may too.
   */
  readonly sideCall: boolean;
}

export interface TokenUsage {
  readonly input: number;
  readonly output: number;
}

/** What the fake answers. Every success reply carries token usage (default 10 in / 5 out). */
export type Reply =
  /** A final text answer. */
  | { readonly type: 'text'; readonly text: string; readonly usage?: TokenUsage }
  /**
   * A tool call that creates `path` with `content`, using the client's own file tool: Claude
   * `Write`, Codex `apply_patch`, Gemini `write_file`, Copilot `create`. Use an absolute path.
   */
  | {
      readonly type: 'write-file';
      readonly path: string;
      readonly content: string;
      /** Text sent before the tool call in the same turn. */
      readonly text?: string;
      readonly usage?: TokenUsage;
    }
  /**
   * A call of any tool the client offered, by its name and input (Anthropic only: it is how a
   * test makes Claude Code call an MCP server's tool, `mcp__<server>__<tool>`).
   */
  | { readonly type: 'tool-call'; readonly name: string; readonly input: Record<string, unknown>; readonly text?: string; readonly usage?: TokenUsage }
  /** An HTTP error with the provider's own error body (401, 429, 500, ...). */
  | { readonly type: 'error'; readonly status: number; readonly message?: string; readonly retryAfterSeconds?: number }
  /** Drops the connection without an answer. */
  | { readonly type: 'disconnect' };

/**
 * Decides the reply to one request. `history` holds the requests before this one (oldest first),
 * so multi-turn scripts can count turns: `history.filter((r) => !r.sideCall).length`.
 */
export type Script = (request: ProviderRequest, history: readonly ProviderRequest[]) => Reply;
