import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { checkRequest, type TaskRequest } from './task-request.js';

const config = configSchema.parse({
  agents: { a: { type: 'generic', command: 'true' } },
  workflows: { default: [{ agent: 'a', task: 'implement' }] },
});
const base = mkdtempSync(path.join(os.tmpdir(), 'aio-request-'));

function problem(request: unknown): string | undefined {
  try {
    checkRequest(request as TaskRequest, config, base);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('checkRequest', () => {
  it('accepts a request with every field well-formed, and ignores fields it does not know', () => {
    const checked = checkRequest(
      { task: '  write it  ', workflow: 'default', maxIterations: 3, offline: true, budgetUsd: 2.5, source: 'api', ...{ extra: 1 } },
      config,
      base,
    );
    expect(checked).toMatchObject({ task: 'write it', workflow: 'default', maxIterations: 3, offline: true, budgetUsd: 2.5, source: 'api', cwd: base });
  });

  it.each([
    [null, 'request: expected an object'],
    [[], 'request: expected an object'],
    [{}, 'task: required'],
    [{ task: 42 }, 'task: expected a string'],
    [{ task: 'x', workflow: '' }, 'workflow: must not be empty'],
    [{ task: 'x', workflow: 'w'.repeat(201) }, 'workflow: at most 200 characters'],
    [{ task: 'x', maxIterations: 0 }, 'maxIterations: expected a whole number from 1 to 100'],
    [{ task: 'x', maxIterations: 1.5 }, 'maxIterations: expected a whole number from 1 to 100'],
    [{ task: 'x', maxIterations: 101 }, 'maxIterations: expected a whole number from 1 to 100'],
    [{ task: 'x', offline: 'yes' }, 'offline: expected true or false'],
    [{ task: 'x', budgetUsd: 0 }, 'budgetUsd: expected a number above 0, at most 1000000'],
    [{ task: 'x', budgetUsd: Number.POSITIVE_INFINITY }, 'budgetUsd: expected a number above 0, at most 1000000'],
    [{ task: 'x', budgetUsd: Number.NaN }, 'budgetUsd: expected a number above 0, at most 1000000'],
    [{ task: 'x', source: 's'.repeat(41) }, 'source: at most 40 characters'],
    [{ task: 'x', isolation: 'container' }, 'isolation: expected "none" or "worktree"'],
    [{ task: 'x', base: 'b'.repeat(401) }, 'base: at most 400 characters'],
    [{ task: 'x', queue: 1 }, 'queue: expected true or false'],
    [{ task: 'x', repo: '' }, 'repo: must not be empty'],
    [{ task: 'x', agent: ['a'] }, 'agent: expected a string'],
  ])('refuses %j with one line naming the field', (request, expected) => {
    expect(problem(request)).toBe(`invalid task request: ${expected}`);
  });
});
