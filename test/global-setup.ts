/**
 * Builds dist/ (and the binary's bundle) once before the tests, so tests that run the real `ai-orchestrator` binary run the
 * code under test, and points AI_ORCHESTRATOR_HOME at a throwaway directory so no test ever
 * touches the user's ~/.ai-orchestrator. Every temporary directory the tests and the processes
 * they start create goes under one that is removed at the end (TMPDIR, which `os.tmpdir()` and
 * the agents' allowlisted environment follow): a run leaves nothing behind in the system's /tmp.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  // The binary runs from the bundle, as users run it (src/bin-bundle.ts).
  execFileSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'inherit' });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aio-tests-'));
  process.env['TMPDIR'] = scratch;
  const home = mkdtempSync(path.join(scratch, 'aio-test-home-'));
  process.env['AI_ORCHESTRATOR_HOME'] = home;
  return () => rmSync(scratch, { recursive: true, force: true });
}
