/**
 * The adapter contract applied to every CLI adapter through the registry, each driving its own
 * fixture CLI (test/fixtures/bin/fake-<cli>.mjs, FAKE_SCENARIO) and the generic fake-cli for the
 * scenario those fixtures do not stage (hanging until stopped).
 */
import path from 'node:path';
import { REPO_ROOT } from '../../../test/helpers/cli.js';
import { FAKE_CLI, adapterFromYaml } from '../../../test/helpers/fake-cli.js';
import { describeAdapterContract, type ContractScenario } from './adapter-contract.js';

const fixture = (cli: string): string => path.join(REPO_ROOT, `test/fixtures/bin/fake-${cli}.mjs`);

const CLIS = [
  { type: 'claude', fixture: fixture('claude') },
  { type: 'codex', fixture: fixture('codex') },
  { type: 'gemini', fixture: fixture('gemini') },
  { type: 'copilot', fixture: fixture('copilot') },
] as const;

for (const cli of CLIS) {
  const agent = (command: string, env: Record<string, string>) =>
    adapterFromYaml({ type: cli.type, command, env, timeout: 30 }, cli.type);
  describeAdapterContract(
    cli.type,
    (scenario: ContractScenario) => {
      switch (scenario) {
        case 'succeeds':
          return agent(cli.fixture, { FAKE_SCENARIO: 'success' });
        case 'fails':
          return agent(cli.fixture, { FAKE_SCENARIO: 'api-401' });
        case 'hangs':
          return agent(FAKE_CLI, { FAKE_HANG: '1' });
        case 'not_installed':
          return agent(`no-such-${cli.type}-binary`, {});
        case 'bad_output':
          return agent(cli.fixture, { FAKE_SCENARIO: 'malformed' });
      }
    },
    { failsWith: 'auth' },
  );
}
