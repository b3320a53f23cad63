/**
 * Command start-up: each data command and `--version` against `node -e 0`, in a home (one per
 * checkout) that has a database with one finished task (so `tasks list` lists, `agents` reads
 * health) and the built-in configuration (four CLI agents looked up on PATH, three local model
 * servers probed).
 * All commands (and the BENCH_BEFORE checkout's) run interleaved, one round after another.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Checkout } from './checkout.js';
import { timeNodeOk } from './processes.js';
import type { SpeedRow } from './report.js';
import type { SpeedContext, SpeedSection } from './section.js';
import { median } from './stats.js';
import { interleave } from './stats.js';

interface StartupCommand {
  readonly args: readonly string[];
  /** Ratio to `node -e 0` the command must stay within. */
  readonly maxRatio: number;
  /** doctor answers 1 when this machine cannot run tasks: still a full run of the command. */
  readonly okCodes?: readonly number[];
}

export const STARTUP_COMMANDS: readonly StartupCommand[] = [
  { args: ['--version'], maxRatio: 1.2 },
  { args: ['agents'], maxRatio: 2.5 },
  { args: ['workflows'], maxRatio: 2.5 },
  { args: ['validate'], maxRatio: 2.5 },
  { args: ['doctor'], maxRatio: 2.5, okCodes: [0, 1] },
  { args: ['tasks', 'list'], maxRatio: 2.5 },
];

const FAKE_CLI = path.resolve(import.meta.dirname, '../../test/fixtures/bin/fake-cli.mjs');

/**
 * A home with a database holding one finished 2-step task, made by the CLI under test itself —
 * one per checkout, so neither reads the other's caches (configuration, probes) or database.
 */
async function prepareHome(context: SpeedContext, checkout: Checkout, index: number): Promise<{ home: string; work: string; env: NodeJS.ProcessEnv }> {
  const home = path.join(context.scratch, `startup-home-${index}`);
  const work = path.join(context.scratch, 'startup-work');
  mkdirSync(home, { recursive: true });
  mkdirSync(work, { recursive: true });
  const config = path.join(context.scratch, 'startup-fixture.json');
  writeFileSync(
    config,
    JSON.stringify({
      agents: {
        impl: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'implemented' } },
        rev: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'Looks complete.\n```json\n{"suggestions": []}\n```' } },
      },
      workflows: { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }] },
    }),
  );
  const env = { ...process.env, AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' };
  await timeNodeOk([checkout.cli, 'run', 'Write a README', '--config', config, '--cwd', work], { cwd: work, env });
  return { home, work, env };
}

function commandRuns(checkout: Checkout, command: StartupCommand, cwd: string, env: NodeJS.ProcessEnv): () => Promise<number> {
  return () => timeNodeOk([checkout.cli, ...command.args], { cwd, env, ...(command.okCodes ? { okCodes: command.okCodes } : {}) });
}

export const startupSection: SpeedSection = {
  name: 'start-up',
  async measure(context) {
    const checkouts = context.before ? [context.current, context.before] : [context.current];
    const homes: Awaited<ReturnType<typeof prepareHome>>[] = [];
    for (const [index, checkout] of checkouts.entries()) homes.push(await prepareHome(context, checkout, index));
    const [{ work, env } = await prepareHome(context, context.current, 0)] = homes;
    const node = (): Promise<number> => timeNodeOk(['-e', '0'], { cwd: work, env });
    const measurements = [
      node,
      ...checkouts.flatMap((checkout, index) => STARTUP_COMMANDS.map((command) => commandRuns(checkout, command, work, homes[index]?.env ?? env))),
    ];
    const samples = await interleave(measurements, context.runs, context.warmup);
    const nodeMs = median(samples[0] ?? []);
    return STARTUP_COMMANDS.map((command, i): SpeedRow => {
      const value = median(samples[1 + i] ?? []);
      const before = context.before ? median(samples[1 + STARTUP_COMMANDS.length + i] ?? []) : undefined;
      return {
        section: 'start-up',
        name: `ai-orchestrator ${command.args.join(' ')}`,
        unit: 'ms',
        value,
        baseline: { name: 'node -e 0', value: nodeMs },
        ...(before === undefined ? {} : { before }),
        target: { text: `≤ ${command.maxRatio}× node -e 0`, met: value <= command.maxRatio * nodeMs },
      };
    });
  },
};
