/**
 * Roles decide permissions, checked with the real CLIs: a `review` step whose model tries to
 * write a file (a scripted tool call) must leave the working tree untouched, while `implement`
 * writes it. Adapters are built from the same agents.yaml the test-agent e2e uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectChangedFiles } from '../../src/adapters/files-changed.js';
import { createAdapter } from '../../src/adapters/registry.js';
import { runAgent } from '../../src/adapters/run-agent.js';
import { parseConfigText } from '../../src/config/load.js';
import type { Role } from '../../src/shared/roles.js';
import { startFakeProvider, writeFileThenAnswer, type FakeProvider } from '../fake-provider/index.js';
import { REAL_CLIS, realCliSetup, type RealCli } from '../helpers/real-clis.js';

const providers: FakeProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

async function runAs(cli: RealCli, role: Role) {
  const fake = await startFakeProvider();
  providers.push(fake);
  const setup = realCliSetup(fake.url);
  const file = path.join(setup.work, 'hello.txt');
  fake.setScript(writeFileThenAnswer({ file, content: 'written\n', answer: 'finished' }));
  const config = parseConfigText(readFileSync(setup.config, 'utf8'), setup.config);
  const agent = config.agents[cli];
  if (!agent) throw new Error(`no ${cli} agent in the test config`);
  const result = await runAgent(createAdapter({ name: cli, agent }), { prompt: 'create hello.txt', role, cwd: setup.work }, {
    detectChanges: detectChangedFiles,
  });
  return { result, written: existsSync(file), fake };
}

describe.concurrent.each(REAL_CLIS)('real %s: roles decide permissions', (cli) => {
  it('a review step cannot write the file its model asks to write', async () => {
    const { result, written, fake } = await runAs(cli, 'review');
    expect(written).toBe(false);
    expect(result.filesModified).toEqual([]);
    // The refusal went back to the model as a tool result and the run still finished normally.
    expect(result.success, result.error?.message).toBe(true);
    expect(result.output).toBe('finished');
    expect(fake.requests.some((r) => r.toolResults > 0)).toBe(true);
  }, 120_000);
});
