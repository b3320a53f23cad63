import { chmodSync, existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { git, gitRepo, read, userGitState, writeFiles } from '../../test/helpers/git-repo.js';
import { openDatabase } from '../storage/database.js';
import { diffTask, rollbackTask, undoRollback } from './task-changes.js';
import { createTaskWorkspaces, type TaskWorkspaces } from './task-workspace.js';

function workspaces(): { spaces: TaskWorkspaces; notices: string[] } {
  const notices: string[] = [];
  const spaces = createTaskWorkspaces({
    db: openDatabase(':memory:'),
    worktreeDir: path.join(tempDir('aio-wt-'), 'worktrees'),
    copy: [],
  });
  const open = spaces.open.bind(spaces);
  const withNotices: TaskWorkspaces = { store: spaces.store, open: (request) => open({ ...request, notice: (message) => notices.push(message) }) };
  return { spaces: withNotices, notices };
}

/**
 * A two-step task in `dir`: step 1 edits a.txt and creates new/made.txt, step 2 deletes src/b.txt
 * and edits a.txt again. The user's own dirty file (user.txt) is there throughout.
 */
async function runTask(spaces: TaskWorkspaces, dir: string, taskId = 'task-1', end = true): Promise<void> {
  const workspace = await spaces.open({ taskId, task: 'edit things', workflow: 'default', cwd: dir, isolation: 'none', notice: () => undefined });
  await workspace.beforeStep({ iteration: 1, index: 0 });
  writeFiles(dir, { 'a.txt': 'a by step 1\n', 'new/made.txt': 'made\n' });
  await workspace.beforeStep({ iteration: 1, index: 1 });
  rmSync(path.join(dir, 'src/b.txt'));
  writeFiles(dir, { 'a.txt': 'a by step 2\n' });
  if (end) await workspace.finish({ status: 'completed' });
}

const task = (id = 'task-1') => ({ id, running: false });

describe('task diff', () => {
  it('shows what the whole task and each step changed', async () => {
    const dir = gitRepo();
    writeFiles(dir, { 'user.txt': 'mine\n' });
    const { spaces } = workspaces();
    await runTask(spaces, dir);

    const whole = await diffTask(spaces.store, task(), { patch: true });
    expect(whole.toLabel).toBe('end');
    expect(whole.files.map((f) => [f.path, f.status])).toEqual([
      ['a.txt', 'modified'],
      ['new/made.txt', 'added'],
      ['src/b.txt', 'deleted'],
    ]);
    expect(whole.files.find((f) => f.path === 'a.txt')).toMatchObject({ additions: 1, deletions: 1, binary: false });
    expect(whole.patch).toContain('+a by step 2');

    const first = await diffTask(spaces.store, task(), { step: '1' });
    expect(first.files.map((f) => f.path)).toEqual(['a.txt', 'new/made.txt']);
    expect(first.toLabel).toBe('next-step');
    const second = await diffTask(spaces.store, task(), { step: '1.2' });
    expect(second.files.map((f) => f.path)).toEqual(['a.txt', 'src/b.txt']);
    await expect(diffTask(spaces.store, task(), { step: '3' })).rejects.toThrow(/no step "3"/);
  });

  it('compares with the working tree now for a task that never reached its end checkpoint', async () => {
    const dir = gitRepo();
    const { spaces } = workspaces();
    await runTask(spaces, dir, 'task-1', false);
    const diff = await diffTask(spaces.store, task());
    expect(diff.toLabel).toBe('working-tree');
    expect(diff.files.map((f) => f.path)).toEqual(['a.txt', 'new/made.txt', 'src/b.txt']);
  });

  it('says a task outside git has no checkpoints (and the run said so once)', async () => {
    const dir = tempDir('aio-plain-');
    const { spaces, notices } = workspaces();
    for (const id of ['p1', 'p2']) {
      const workspace = await spaces.open({ taskId: id, task: 't', workflow: 'default', cwd: dir, isolation: 'none', notice: () => undefined });
      await workspace.beforeStep({ iteration: 1, index: 0 });
      await workspace.finish({ status: 'completed' });
    }
    expect(notices.filter((n) => n.includes('need git'))).toHaveLength(1);
    await expect(diffTask(spaces.store, task('p1'))).rejects.toThrow(/no checkpoints/);
  });
});

describe('task rollback', () => {
  it('restores only the files the task changed, keeps the user’s own changes, and leaves HEAD, branch, index and stash alone', async () => {
    const dir = gitRepo();
    writeFiles(dir, { 'user.txt': 'mine, untracked\n', 'src/c.txt': 'untracked c\n' });
    chmodSync(path.join(dir, 'a.txt'), 0o755);
    git(dir, 'add', 'a.txt');
    git(dir, 'commit', '-qm', 'a is executable');
    writeFiles(dir, { 'stashed.txt': 's\n' });
    git(dir, 'stash', 'push', '-q', '--include-untracked', '--', 'stashed.txt');
    const { spaces } = workspaces();
    const before = userGitState(dir);
    await runTask(spaces, dir);
    expect(userGitState(dir)).toEqual(before);
    writeFiles(dir, { 'user.txt': 'the user kept working\n' });

    const result = await rollbackTask(spaces.store, task());

    expect(result.files).toEqual(['a.txt', 'new/made.txt', 'src/b.txt']);
    expect(read(dir, 'a.txt')).toBe('a\n');
    expect(statSync(path.join(dir, 'a.txt')).mode & 0o111).not.toBe(0);
    expect(read(dir, 'src/b.txt')).toBe('b\n');
    expect(existsSync(path.join(dir, 'new'))).toBe(false);
    expect(read(dir, 'user.txt')).toBe('the user kept working\n');
    expect(read(dir, 'src/c.txt')).toBe('untracked c\n');
    expect(userGitState(dir)).toEqual(before);
  });

  it('rolls back to the state before step N', async () => {
    const dir = gitRepo();
    const { spaces } = workspaces();
    await runTask(spaces, dir);
    const result = await rollbackTask(spaces.store, task(), { toStep: '2' });
    expect(result.files).toEqual(['a.txt', 'src/b.txt']);
    expect(read(dir, 'a.txt')).toBe('a by step 1\n');
    expect(read(dir, 'new/made.txt')).toBe('made\n');
    expect(read(dir, 'src/b.txt')).toBe('b\n');
  });

  it('refuses, naming the files, when the task’s files changed again; --force overwrites; --undo brings that back', async () => {
    const dir = gitRepo();
    const { spaces } = workspaces();
    await runTask(spaces, dir);
    writeFiles(dir, { 'a.txt': 'the user edited a after the task\n', 'other.txt': 'unrelated\n' });
    const before = userGitState(dir);

    await expect(rollbackTask(spaces.store, task())).rejects.toThrow(/refusing to roll back task task-1: a\.txt changed again after the task/);
    expect(read(dir, 'a.txt')).toBe('the user edited a after the task\n');
    expect(read(dir, 'src/b.txt')).toBeUndefined();

    const forced = await rollbackTask(spaces.store, task(), { force: true });
    expect(forced.overwritten).toEqual(['a.txt']);
    expect(read(dir, 'a.txt')).toBe('a\n');
    expect(read(dir, 'other.txt')).toBe('unrelated\n');

    const undone = await undoRollback(spaces.store, task());
    expect(undone.files).toEqual(['a.txt', 'new/made.txt', 'src/b.txt']);
    expect(read(dir, 'a.txt')).toBe('the user edited a after the task\n');
    expect(read(dir, 'new/made.txt')).toBe('made\n');
    expect(read(dir, 'src/b.txt')).toBeUndefined();
    expect(userGitState(dir)).toEqual(before);
    await expect(undoRollback(spaces.store, task())).rejects.toThrow(/no rollback to undo/);
  });

  it('refuses to undo over files changed after the rollback, unless forced', async () => {
    const dir = gitRepo();
    const { spaces } = workspaces();
    await runTask(spaces, dir);
    await rollbackTask(spaces.store, task());
    writeFiles(dir, { 'new/made.txt': 'recreated by the user\n' });
    await expect(undoRollback(spaces.store, task())).rejects.toThrow(/new\/made\.txt changed after the rollback/);
    await undoRollback(spaces.store, task(), { force: true });
    expect(read(dir, 'new/made.txt')).toBe('made\n');
    // The user's version is kept by the ref the undo wrote.
    expect(git(dir, 'show', 'refs/ai-orchestrator/task-1/undo-1:new/made.txt')).toBe('recreated by the user\n');
  });

  it('works in a repository with no commit yet and on a detached HEAD', async () => {
    for (const dir of [gitRepo({ 'a.txt': 'a\n', 'src/b.txt': 'b\n' }, { commit: false }), detached()]) {
      const { spaces } = workspaces();
      const before = userGitState(dir);
      await runTask(spaces, dir);
      await rollbackTask(spaces.store, task());
      expect(read(dir, 'a.txt')).toBe('a\n');
      expect(read(dir, 'src/b.txt')).toBe('b\n');
      expect(existsSync(path.join(dir, 'new/made.txt'))).toBe(false);
      expect(userGitState(dir)).toEqual(before);
    }
  });

  it('refuses a task that is still running', async () => {
    const dir = gitRepo();
    const { spaces } = workspaces();
    await runTask(spaces, dir, 'task-1', false);
    await expect(rollbackTask(spaces.store, { id: 'task-1', running: true })).rejects.toThrow(/still running/);
  });
});

function detached(): string {
  const dir = gitRepo();
  writeFiles(dir, { 'later.txt': 'later\n' });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'later');
  git(dir, 'checkout', '-q', '--detach', 'HEAD~1');
  return dir;
}
