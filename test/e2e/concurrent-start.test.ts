/**
 * Commands started together on a fresh, empty home all succeed: they create the database, switch
 * it to WAL and run every feature's migrations at the same moment, and must wait for each other
 * instead of failing with "table … already exists" or "database is locked". (The race itself
 * is staged deterministically in src/storage/database.test.ts.)
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const COMMANDS: readonly (readonly string[])[] = [
  ['tasks', 'list', '--json'],
  ['agents', '--json'],
  ['context', 'stats', '--json'],
];

describe('concurrent start-up on a fresh home', () => {
  it('20 commands started at once all succeed with valid JSON', async () => {
    const home = path.join(tempDir('aio-concurrent-'), 'home-not-created-yet');
    const runs = Array.from({ length: 20 }, (_, i) => {
      const args = COMMANDS[i % COMMANDS.length] ?? [];
      return runCli(args, { env: { AI_ORCHESTRATOR_HOME: home }, timeoutMs: 120_000 }).then((result) => ({ args, ...result }));
    });
    const results = await Promise.all(runs);
    const failures = results.filter((result) => result.code !== 0).map((result) => `${result.args.join(' ')}: ${result.stderr.trim()}`);
    expect(failures).toEqual([]);
    for (const result of results) expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
  });
});
