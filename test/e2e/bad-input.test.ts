/**
 * Bad input from a careless user or a hostile script gets one line on stderr and a non-zero
 * exit code — never a stack trace — and with --json a parseable error object on stdout.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

const STACK = /\n\s+at /;

function expectOneLineError(result: CliResult, code = 2): void {
  expect(result.code).toBe(code);
  expect(result.stderr).not.toMatch(STACK);
  expect(result.stderr).not.toContain('unexpected error');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

describe('limits in the configuration', () => {
  it('rejects a timeout Node cannot time (9999999 s) in validate, with file:line:column', async () => {
    const file = path.join(tempDir(), 'agents.yaml');
    writeFileSync(file, 'agents:\n  slow:\n    command: /bin/cat\n    timeout: 9999999\n');
    const result = await runCli(['validate', '--config', file], { env: { AI_ORCHESTRATOR_HOME: tempDir() } });
    expectOneLineError(result);
    expect(result.stderr).toMatch(/agents\.yaml:4:14 agent "slow" field "timeout": at most 2147483 seconds/);
  });
});
