import { describeAdapterContract } from '../testing/adapter-contract.js';
import { adapterFromYaml, fakeAgent } from '../../../test/helpers/fake-cli.js';

describeAdapterContract('generic (text)', (scenario) => {
  switch (scenario) {
    case 'succeeds':
      return fakeAgent({ FAKE_STDOUT: 'done\n' });
    case 'fails':
      return fakeAgent({ FAKE_EXIT: '1', FAKE_STDERR: '503 Service Unavailable\n' });
    case 'hangs':
      return fakeAgent({ FAKE_STDOUT: 'working\n', FAKE_HANG: '1' });
    case 'not_installed':
      return adapterFromYaml({ type: 'generic', command: 'no-such-agent-binary-xyz' });
    case 'bad_output':
      return undefined; // plain text is never malformed
  }
}, { failsWith: 'server' });

describeAdapterContract('generic (jsonl)', (scenario) => {
  const jsonl = { output_format: 'jsonl', output_field: 'answer' };
  switch (scenario) {
    case 'succeeds':
      return fakeAgent({ FAKE_STDOUT: '{"event":"start"}\n{"answer":"done"}\n' }, jsonl);
    case 'fails':
      return fakeAgent({ FAKE_EXIT: '2', FAKE_STDERR: 'Error: 401 Unauthorized\n' }, jsonl);
    case 'hangs':
      return fakeAgent({ FAKE_STDOUT: '{"event":"start"}\n', FAKE_HANG: '1', FAKE_IGNORE_TERM: '1' }, jsonl);
    case 'not_installed':
      return adapterFromYaml({ type: 'generic', command: '/nonexistent/agent', ...jsonl });
    case 'bad_output':
      return fakeAgent({ FAKE_STDOUT: '{"answer": "trunc\n' }, jsonl);
  }
}, { failsWith: 'auth' });
