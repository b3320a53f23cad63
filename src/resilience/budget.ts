/**
 * The cost budget of one task (`run --budget-usd X`, else `settings.budget_usd`): asked before
 * every step, it refuses once the task has spent the budget, so a task stops between steps —
 * never in the middle of an agent's edit — with a message that says what was spent and why.
 * A task whose agents report no cost (and have no price) spends nothing as far as it can tell;
 * that is said once, as a warning, rather than guessed.
 */
import type { Usage } from '../adapters/spec.js';

export interface BudgetState {
  readonly iteration: number;
  readonly index: number;
  readonly agent: string;
  /** Spent so far in this task. */
  readonly usage: Usage;
}

export type BudgetDecision = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface BudgetGuard {
  beforeStep(state: BudgetState): BudgetDecision;
}

export interface BudgetSettings {
  readonly limitUsd: number;
  /** Told once when steps ran but none reported or priced a cost. */
  readonly onUnknownCost?: (message: string) => void;
}

export function createBudgetGuard(settings: BudgetSettings): BudgetGuard {
  let warned = false;
  return {
    beforeStep(state) {
      const spent = state.usage.costUsd;
      if (spent === undefined) {
        const ranSomething = state.usage.inputTokens > 0 || state.usage.outputTokens > 0;
        if (ranSomething && !warned) {
          warned = true;
          settings.onUnknownCost?.(
            `budget $${formatUsd(settings.limitUsd)}: the agents so far report no cost and have no price; set agents.<name>.price or settings.prices`,
          );
        }
        return { ok: true };
      }
      if (spent < settings.limitUsd) return { ok: true };
      return {
        ok: false,
        reason: `budget of $${formatUsd(settings.limitUsd)} spent ($${formatUsd(spent)} so far); stopped before step ${state.index + 1} (${state.agent}) of iteration ${state.iteration}`,
      };
    },
  };
}

/** Dollars with enough digits for small budgets: 0.0001 stays 0.0001, 12.5 becomes 12.50. */
export function formatUsd(value: number): string {
  if (value >= 1) return value.toFixed(2);
  if (value === 0) return '0';
  return value.toPrecision(2).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}
