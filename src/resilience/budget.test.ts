import { describe, expect, it } from 'vitest';
import { createBudgetGuard, formatUsd } from './budget.js';

const state = (costUsd?: number) => ({
  iteration: 1,
  index: 1,
  agent: 'gemini',
  usage: { inputTokens: 10, outputTokens: 10, ...(costUsd === undefined ? {} : { costUsd }) },
});

describe('budget guard', () => {
  it('allows steps until the spent cost reaches the budget, then says why it stops', () => {
    const guard = createBudgetGuard({ limitUsd: 0.0001 });
    expect(guard.beforeStep({ ...state(0), usage: { inputTokens: 0, outputTokens: 0 } })).toEqual({ ok: true });
    expect(guard.beforeStep(state(0.00005))).toEqual({ ok: true });
    expect(guard.beforeStep(state(0.0123))).toEqual({
      ok: false,
      reason: 'budget of $0.0001 spent ($0.012 so far); stopped before step 2 (gemini) of iteration 1',
    });
  });

  it('warns once when nothing reports a cost', () => {
    const warnings: string[] = [];
    const guard = createBudgetGuard({ limitUsd: 1, onUnknownCost: (m) => warnings.push(m) });
    expect(guard.beforeStep(state())).toEqual({ ok: true });
    expect(guard.beforeStep(state())).toEqual({ ok: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/report no cost/);
  });

  it('formats dollars readably', () => {
    expect(formatUsd(12.5)).toBe('12.50');
    expect(formatUsd(0.0001)).toBe('0.0001');
    expect(formatUsd(0.01234)).toBe('0.012');
    expect(formatUsd(0)).toBe('0');
  });
});
