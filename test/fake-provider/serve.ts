/**
 * Runs the fake provider from a shell for manual checks:
 *   npx tsx test/fake-provider/serve.ts <dir> [status]
 * Without a status it scripts "write <dir>/hello.txt, then answer"; with one, every request fails.
 */
import path from 'node:path';
import { failWith, startFakeProvider, writeFileThenAnswer } from './index.js';

const dir = path.resolve(process.argv[2] ?? '.');
const status = process.argv[3] ? Number(process.argv[3]) : undefined;
const provider = await startFakeProvider({
  script:
    status !== undefined
      ? failWith(status)
      : writeFileThenAnswer({ file: path.join(dir, 'hello.txt'), content: 'hello from fake model\n', answer: 'done: wrote hello.txt' }),
});
process.stdout.write(`${provider.url}\n`);
const report = (): void => {
  for (const r of provider.requests) process.stderr.write(`${r.method} ${r.url} tools=${r.toolResults} model=${r.model ?? ''}\n`);
};
process.on('SIGINT', () => {
  report();
  void provider.close().then(() => process.exit(0));
});
process.on('SIGTERM', () => {
  report();
  void provider.close().then(() => process.exit(0));
});
