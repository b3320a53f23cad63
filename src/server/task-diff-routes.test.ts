/**
 * GET /api/tasks/:id/diff through inject(), on real git repositories changed by fixture agents
 * (real processes): the files with their patches, a worktree task's branch against its base,
 * secrets redacted, sizes capped, no checkpoints answered plainly, unknown tasks 404.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllDatabases } from '../storage/database.js';
import { git, writeFiles } from '../../test/helpers/git-repo.js';
import { fixtureAgent, openServerFixture, REVIEW_OK, TEST_TOKEN, type ServerFixture } from '../../test/helpers/server-fixture.js';

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  closeAllDatabases();
});

interface DiffFile {
  path: string;
  status: string;
  additions: number | null;
  deletions: number | null;
  patch: string | null;
  omitted: string | null;
  cut: boolean;
}
interface DiffAnswer {
  task_id: string;
  available: boolean;
  reason?: string;
  source?: string;
  branch?: string | null;
  to_label?: string;
  step?: { number: number } | null;
  files: DiffFile[];
  totals?: { files: number; additions: number; deletions: number };
  truncated?: boolean;
}

const SECRET_KEY = 'sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2';

function config(writerEnv: Record<string, string>): Record<string, unknown> {
  return {
    agents: { writer: fixtureAgent({ FAKE_STDOUT: 'done', ...writerEnv }), checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK }) },
    workflows: { default: [{ agent: 'writer', task: 'implement' }, { agent: 'checker', task: 'review' }] },
  };
}

/** The fixture's workspace as a git repository with one commit. */
function repository(workspace: string): string {
  const repo = path.join(workspace, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFiles(repo, { 'a.txt': 'one\ntwo\n', 'keep.txt': 'unchanged\n' });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  return repo;
}

async function diffOf(taskId: string, query = ''): Promise<{ status: number; body: DiffAnswer }> {
  if (!fixture) throw new Error('no fixture');
  const response = await fixture.server.app.inject({ url: `/api/tasks/${taskId}/diff${query}`, headers: fixture.auth });
  return { status: response.statusCode, body: response.json<DiffAnswer>() };
}

describe('GET /api/tasks/:id/diff', () => {
  it("shows the files a task changed with their patches, secrets (the server's token too) redacted", async () => {
    fixture = await openServerFixture(config({ FAKE_WRITE_FILE: 'a.txt', FAKE_WRITE_CONTENT: `one\n2\nkey ${SECRET_KEY}\ntoken ${TEST_TOKEN}\n` }));
    const repo = repository(fixture.workspace);
    const { taskId, done } = fixture.service.submit({ task: 'change a.txt', cwd: repo });
    await done;
    const { status, body } = await diffOf(taskId);
    expect(status).toBe(200);
    expect(body).toMatchObject({ task_id: taskId, available: true, source: 'checkpoints', to_label: 'end', step: null, truncated: false });
    expect(body.files.map((f) => [f.path, f.status, f.additions, f.deletions])).toEqual([['a.txt', 'modified', 3, 1]]);
    const patch = body.files[0]?.patch ?? '';
    expect(patch).toMatch(/^diff --git a\/a\.txt b\/a\.txt/);
    expect(patch).toContain('-two');
    expect(patch).toContain('+2');
    expect(patch).not.toContain(SECRET_KEY);
    expect(patch).not.toContain(TEST_TOKEN);
    expect(patch).toContain('+token [REDACTED]');
    expect(body.totals).toEqual({ files: 1, additions: 3, deletions: 1 });

    const step = await diffOf(taskId, '?step=1');
    expect(step.body.step).toMatchObject({ number: 1 });
    expect(step.body.to_label).toBe('next-step');
    expect(step.body.files.map((f) => f.path)).toEqual(['a.txt']);
    const missing = await diffOf(taskId, '?step=9');
    expect(missing.status).toBe(400);
    expect((await diffOf(taskId, '?step=x')).status).toBe(400);
  });

  it("shows a worktree task's branch against the commit it started from, the user's tree untouched", async () => {
    fixture = await openServerFixture(config({ FAKE_WRITE_FILE: 'new file.txt', FAKE_WRITE_CONTENT: 'from the worktree\n' }));
    const repo = repository(fixture.workspace);
    const { taskId, done } = fixture.service.submit({ task: 'add a file', cwd: repo, isolation: 'worktree' });
    await done;
    const { status, body } = await diffOf(taskId);
    expect(status).toBe(200);
    expect(body).toMatchObject({ available: true, source: 'branch', branch: `aio/${taskId}`, to_label: 'branch' });
    expect(body.files.map((f) => [f.path, f.status])).toEqual([['new file.txt', 'added']]);
    expect(body.files[0]?.patch).toContain('+from the worktree');
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('cuts a patch past its size with a marker and says the answer is truncated', async () => {
    const big = Array.from({ length: 3000 }, (_: unknown, i: number) => `line ${i} ${'x'.repeat(30)}`).join('\n');
    fixture = await openServerFixture(config({ FAKE_WRITE_FILE: 'big.txt', FAKE_WRITE_CONTENT: big }));
    const repo = repository(fixture.workspace);
    const { taskId, done } = fixture.service.submit({ task: 'write a big file', cwd: repo });
    await done;
    const { body } = await diffOf(taskId);
    const file = body.files.find((f) => f.path === 'big.txt');
    expect(file?.cut).toBe(true);
    expect(file?.additions).toBe(3000);
    expect(file?.patch?.length).toBeLessThan(70 * 1024);
    expect(file?.patch).toMatch(/\[… \d+ characters cut\]/);
    expect(body.truncated).toBe(true);
  });

  it('answers a task without checkpoints (not in git) with available: false and the reason, and an unknown task with 404', async () => {
    fixture = await openServerFixture(config({}));
    const { taskId, done } = fixture.service.submit({ task: 'no git here' });
    await done;
    const { status, body } = await diffOf(taskId);
    expect(status).toBe(200);
    expect(body).toMatchObject({ available: false, files: [] });
    expect(body.reason).toMatch(/no checkpoints: it did not run in a git repository/);
    const unknown = await fixture.server.app.inject({ url: '/api/tasks/does-not-exist/diff', headers: fixture.auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('TASK_NOT_FOUND');
    const anonymous = await fixture.server.app.inject({ url: `/api/tasks/${taskId}/diff` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('is described in /api/openapi.json with its step parameter', async () => {
    fixture = await openServerFixture(config({}));
    const spec = (await fixture.server.app.inject({ url: '/api/openapi.json', headers: fixture.auth })).json<{ paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }> }>();
    const route = spec.paths['/api/tasks/{id}/diff']?.get;
    expect(route?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['path:id', 'query:step']);
  });
});
