import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from './load.js';

const AGENT = 'agents:\n  a:\n    command: /bin/true\n';

/** Parses `text` and returns its issues as "line:col message". */
function issues(text: string): string[] {
  try {
    parseConfigText(text, 'limits.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((i) => `${i.line}:${i.column} ${i.message}`);
  }
}

describe('numeric settings have ranges that make sense', () => {
  it.each([
    ['an agent timeout beyond the timer maximum', `${AGENT}    timeout: 9999999\n`, '4:14 agent "a" field "timeout": at most 2147483 seconds'],
    ['a zero agent timeout', `${AGENT}    timeout: 0\n`, '4:14 agent "a" field "timeout"'],
    ['an infinite agent timeout', `${AGENT}    timeout: .inf\n`, '4:14 agent "a" field "timeout"'],
    ['a fractional retry count', `${AGENT}settings:\n  resilience:\n    retry:\n      max_attempts: 2.5\n`, '7:21 setting "resilience.retry.max_attempts"'],
    ['a retry delay of days', `${AGENT}settings:\n  resilience:\n    retry:\n      max_delay: 100000\n`, '7:18 setting "resilience.retry.max_delay"'],
    ['a negative retry delay', `${AGENT}settings:\n  resilience:\n    retry:\n      base_delay: -1\n`, '7:19 setting "resilience.retry.base_delay"'],
    ['a recovery timeout beyond the timer maximum', `${AGENT}settings:\n  resilience:\n    circuit_breaker:\n      recovery_timeout: 3000000\n`, '7:25 setting "resilience.circuit_breaker.recovery_timeout"'],
    ['a zero failure threshold', `${AGENT}settings:\n  resilience:\n    circuit_breaker:\n      failure_threshold: 0\n`, '7:26 setting "resilience.circuit_breaker.failure_threshold"'],
    ['a rate limit too small to ever refill', `${AGENT}settings:\n  resilience:\n    rate_limit: 0.0000001\n`, '6:17 setting "resilience.rate_limit"'],
    ['a fractional concurrency', `${AGENT}    resilience:\n      max_concurrency: 1.5\n`, '5:24 agent "a" field "resilience.max_concurrency"'],
    ['iterations over 100', `${AGENT}settings:\n  max_iterations: 1000\n`, '5:19 setting "max_iterations"'],
    ['a negative suggestion threshold', `${AGENT}settings:\n  min_suggestions_threshold: -1\n`, '5:30 setting "min_suggestions_threshold"'],
    ['a fractional token budget', `${AGENT}settings:\n  memory:\n    token_budget: 0.5\n`, '6:19 setting "memory.token_budget"'],
    ['a probe cache beyond the timer maximum', `${AGENT}settings:\n  offline:\n    probe_ttl: 99999999\n`, '6:16 setting "offline.probe_ttl"'],
    ['a zero budget', `${AGENT}settings:\n  budget_usd: 0\n`, '5:15 setting "budget_usd"'],
    ['a success rate above 1', `${AGENT}settings:\n  planner:\n    min_success_rate: 1.5\n`, '6:23 setting "planner.min_success_rate"'],
    ['a zero planner call count', `${AGENT}settings:\n  planner:\n    min_calls: 0\n`, '6:16 setting "planner.min_calls"'],
    ['a negative price', `${AGENT}    price:\n      input_per_mtok: -3\n      output_per_mtok: 15\n`, '5:23 agent "a" field "price.input_per_mtok"'],
    ['a workflow with 0 iterations', `${AGENT}workflows:\n  w:\n    max_iterations: 0\n    steps:\n      - agent: a\n        role: implement\n`, '6:21 workflow "w" field "max_iterations"'],
  ])('rejects %s at its line and column', (_label, text, expected) => {
    const found = issues(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('accepts the largest values that still work', () => {
    expect(
      issues(`${AGENT}    timeout: 2147483\nsettings:\n  resilience:\n    rate_limit: 0.001\n    retry:\n      max_delay: 3600\n`),
    ).toEqual([]);
  });
});
