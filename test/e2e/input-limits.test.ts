/**
 * Inputs that would make the orchestrator read or build gigabytes end with one clear line: a
 * `context import` of an endless device or a huge file stops at its size limit, and a YAML alias
 * bomb in a config is a located config error.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  '',
].join('\n');

describe('input limits through the CLI', () => {
  it('context import /dev/zero stops at the size limit with one line and exit 2', async () => {
    const home = tempDir('aio-limits-home-');
    const result = await runCli(['context', 'import', '/dev/zero'], { env: { AI_ORCHESTRATOR_HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('error: /dev/zero is larger than the 256 MiB limit for a context import');
    expect(result.stdout).toBe('');
  });

  it('a YAML alias bomb in the config is one located line, exit 2', async () => {
    const dir = tempDir('aio-limits-');
    const config = path.join(dir, 'agents.yaml');
    writeFileSync(config, ALIAS_BOMB);
    const result = await runCli(['validate', '--config', config], { env: { AI_ORCHESTRATOR_HOME: dir } });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/agents\.yaml:2:\d+ YAML aliases expand too much/);
  });
});
