/**
 * What an agent call cost. A CLI that reports its cost (Claude's `total_cost_usd`) is believed;
 * otherwise tokens × the agent's `price`, else `settings.prices[<model>]`; otherwise unknown
 * (no cost, never a guess).
 */
import type { Usage } from '../adapters/spec.js';
import type { AgentConfig, Settings } from '../config/schema.js';

export interface Price {
  readonly inputPerMtok: number;
  readonly outputPerMtok: number;
}

/** The price table entry for an agent, if any. */
export function priceFor(agent: Pick<AgentConfig, 'price' | 'model'>, prices: Settings['prices'] = {}): Price | undefined {
  const entry = agent.price ?? (agent.model !== undefined && Object.hasOwn(prices, agent.model) ? prices[agent.model] : undefined);
  return entry ? { inputPerMtok: entry.input_per_mtok, outputPerMtok: entry.output_per_mtok } : undefined;
}

/** US dollars for these tokens at this price. */
export function costOf(usage: Pick<Usage, 'inputTokens' | 'outputTokens'>, price: Price): number {
  return (usage.inputTokens * price.inputPerMtok + usage.outputTokens * price.outputPerMtok) / 1_000_000;
}

/** The usage with `costUsd` filled in from the price when the CLI did not report one. */
export function withCost(usage: Usage, price: Price | undefined): Usage {
  if (usage.costUsd !== undefined || !price) return usage;
  if (usage.inputTokens === 0 && usage.outputTokens === 0) return usage;
  return { ...usage, costUsd: costOf(usage, price) };
}
