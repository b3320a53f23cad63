/**
 * The deployment files (deploy/: docker-compose.yml, the systemd units) start the coordinator and
 * the workers with flags the CLI has: each command line is checked against the built CLI's own
 * `--help` of that command, so a renamed or removed flag fails here rather than in production.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const DEPLOY = path.join(REPO_ROOT, 'deploy');

interface ComposeService {
  readonly command?: string[];
  readonly healthcheck?: { readonly test?: string[] };
}

/** Splits `[--config X] <command> args…` and checks every flag against the CLI's help. */
async function expectKnownFlags(argv: readonly string[]): Promise<string> {
  const commandAt = argv.findIndex((arg, i) => !arg.startsWith('-') && !argv[i - 1]?.startsWith('--config'));
  const command = argv[commandAt] ?? '';
  const globalHelp = (await runCli(['--help'])).stdout;
  const commandHelp = await runCli([command, '--help']);
  expect(commandHelp.code, commandHelp.stderr).toBe(0);
  for (const [i, arg] of argv.entries()) {
    if (!arg.startsWith('--')) continue;
    const help = i < commandAt ? globalHelp : commandHelp.stdout;
    expect(help, `${command}: ${arg}`).toMatch(new RegExp(`(^|[\\s,])${arg}\\b`));
  }
  return command;
}

describe('deployment files', () => {
  it('docker-compose.yml runs `serve --queue` and `worker` with flags the CLI has, and checks the worker on its own port', async () => {
    const compose = parse(readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
    const coordinator = compose.services['coordinator']?.command ?? [];
    const worker = compose.services['worker']?.command ?? [];
    expect(await expectKnownFlags(coordinator)).toBe('serve');
    expect(coordinator).toContain('--queue');
    expect(await expectKnownFlags(worker)).toBe('worker');
    const port = worker[worker.indexOf('--port') + 1];
    expect(compose.services['worker']?.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${port}/health`);
  });

  it('the systemd units run `serve --queue` and `worker` with flags the CLI has', async () => {
    const execStart = (unit: string): string[] => {
      const line = readFileSync(path.join(DEPLOY, 'systemd', unit), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('ExecStart='));
      // The binary first, then its arguments; `%i` (the instance) stands for a port number.
      return (line ?? '').slice('ExecStart='.length).split(' ').slice(1).map((arg) => arg.replace('%i', '9464'));
    };
    expect(await expectKnownFlags(execStart('ai-orchestrator-coordinator.service'))).toBe('serve');
    expect(await expectKnownFlags(execStart('ai-orchestrator-worker@.service'))).toBe('worker');
  });
});
