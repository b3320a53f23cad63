import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { git, gitRepo, read, userGitState, writeFiles } from '../../test/helpers/git-repo.js';
import { openDatabase } from '../storage/database.js';
import { createTaskWorkspaces, type TaskWorkspaceRequest } from './task-workspace.js';
import { cleanWorktrees } from './worktree-clean.js';
import { applyWorktree, checkedCopyPath } from './worktree.js';

function setup(copy: string[] = []) {
  const notices: string[] = [];
  const worktreeDir = path.join(tempDir('aio-wt-'), 'worktrees');
  const created = createTaskWorkspaces({ db: openDatabase(':memory:'), worktreeDir, copy });
  const spaces = { store: created.store, open: (request: Omit<TaskWorkspaceRequest, 'notice'>) => created.open({ ...request, notice: (m) => notices.push(m) }) };
  return { spaces, notices, worktreeDir };
}

async function worktreeTask(spaces: ReturnType<typeof setup>['spaces'], dir: string, taskId: string, files: Record<string, string>, base?: string) {
  const workspace = await spaces.open({ taskId, task: `write ${Object.keys(files).join(', ')}`, workflow: 'default', cwd: dir, isolation: 'worktree', ...(base ? { base } : {}) });
  await workspace.beforeStep({ iteration: 1, index: 0 });
  writeFiles(workspace.cwd, files);
  await workspace.finish({ status: 'completed' });
  return workspace;
}

describe('worktrees', () => {
  it('run a task on aio/<id> under the worktree folder, commit its changes there with the task named, and leave the main tree alone', async () => {
    const dir = gitRepo();
    writeFiles(dir, { 'a.txt': 'uncommitted in main\n', '.env': 'SECRET=1\n', 'config/local.json': '{}\n' });
    const before = userGitState(dir);
    const { spaces, notices, worktreeDir } = setup(['.env', 'config/local.json', 'missing.txt']);

    const workspace = await worktreeTask(spaces, path.join(dir, 'src'), 'wt-1', { 'from-task.txt': 'task\n' });

    expect(workspace.worktree?.branch).toBe('aio/wt-1');
    expect(workspace.worktree?.path).toBe(path.join(worktreeDir, 'wt-1'));
    expect(workspace.cwd).toBe(path.join(worktreeDir, 'wt-1', 'src'));
    expect(read(workspace.worktree?.path ?? '', 'a.txt')).toBe('a\n'); // from HEAD, not the dirty tree
    expect(read(workspace.worktree?.path ?? '', '.env')).toBe('SECRET=1\n');
    expect(notices.join('\n')).toMatch(/missing\.txt does not exist/);
    expect(notices.join('\n')).toMatch(/uncommitted changes in .* are not in it/);
    const log = git(dir, 'log', '-1', '--format=%B', 'aio/wt-1');
    expect(log).toContain('Task wt-1, workflow default, completed.');
    expect(git(dir, 'show', '--name-only', '--format=', 'aio/wt-1').trim().split('\n')).toEqual(['src/from-task.txt']);
    // The copied local settings never land in a commit.
    expect(git(dir, 'ls-tree', '-r', '--name-only', 'aio/wt-1')).not.toContain('.env');
    expect(existsSync(path.join(dir, 'src/from-task.txt'))).toBe(false);
    expect(read(dir, 'a.txt')).toBe('uncommitted in main\n');
    expect({ ...userGitState(dir), branches: '' }).toEqual({ ...before, branches: '' });
  });

  it('start from --base and refuse a base that is no commit, or a repository without one', async () => {
    const dir = gitRepo();
    const first = git(dir, 'rev-parse', 'HEAD').trim();
    writeFiles(dir, { 'a.txt': 'second\n' });
    git(dir, 'commit', '-qam', 'second');
    const { spaces } = setup();
    const workspace = await worktreeTask(spaces, dir, 'wt-base', { 'x.txt': 'x\n' }, first);
    expect(read(workspace.worktree?.path ?? '', 'a.txt')).toBe('a\n');
    await expect(worktreeTask(spaces, dir, 'wt-bad', {}, 'no-such-ref')).rejects.toThrow(/--base no-such-ref is not a commit/);
    await expect(worktreeTask(spaces, gitRepo({ 'a.txt': 'a\n' }, { commit: false }), 'wt-empty', {})).rejects.toThrow(/has none yet/);
    await expect(worktreeTask(spaces, tempDir('aio-plain-'), 'wt-plain', {})).rejects.toThrow(/needs a git repository/);
  });

  it('refuse copy paths that leave the repository', () => {
    const dir = gitRepo();
    const outside = tempDir('aio-outside-');
    symlinkSync(outside, path.join(dir, 'link-out'));
    expect(() => checkedCopyPath(dir, '../secrets')).toThrow(/not a path inside the repository/);
    expect(() => checkedCopyPath(dir, '/etc/passwd')).toThrow(/not a path inside the repository/);
    expect(() => checkedCopyPath(dir, 'link-out')).toThrow(/leads outside the repository/);
    expect(checkedCopyPath(dir, './.env').relative).toBe('.env');
  });

  it('apply a task’s changes into the current tree, and refuse with the files named when they conflict', async () => {
    const dir = gitRepo();
    const { spaces } = setup();
    const one = await worktreeTask(spaces, dir, 'wt-a', { 'a.txt': 'a from task\n', 'added.txt': 'added\n' });
    const index = userGitState(dir).index;
    const applied = await applyWorktree(spaces.store.worktree('wt-a')!, dir);
    expect(applied.files).toEqual(['a.txt', 'added.txt']);
    expect(read(dir, 'a.txt')).toBe('a from task\n');
    expect(read(dir, 'added.txt')).toBe('added\n');
    expect(userGitState(dir).index).toBe(index); // uncommitted changes, nothing staged
    void one;

    const other = gitRepo();
    writeFiles(other, { 'a.txt': 'the user changed a differently\n', 'added.txt': 'already here\n' });
    await expect(applyWorktree(spaces.store.worktree('wt-a')!, other)).rejects.toThrow(/refusing to apply task wt-a: a\.txt, added\.txt conflict/);
    expect(read(other, 'a.txt')).toBe('the user changed a differently\n');
  });

  it('clean removes finished worktrees, deletes merged branches, keeps unmerged ones and says so, and skips running tasks', async () => {
    const dir = gitRepo();
    const { spaces } = setup();
    await worktreeTask(spaces, dir, 'wt-unmerged', { 'u.txt': 'u\n' });
    await worktreeTask(spaces, dir, 'wt-nothing', {});
    await worktreeTask(spaces, dir, 'wt-applied', { 'p.txt': 'p\n' });
    await applyWorktree(spaces.store.worktree('wt-applied')!, dir);
    git(dir, 'add', 'p.txt');
    git(dir, 'commit', '-qm', 'took the task’s change');
    // Killed mid-task: changes never committed.
    const killed = await spaces.open({ taskId: 'wt-killed', task: 't', workflow: 'default', cwd: dir, isolation: 'worktree' });
    writeFiles(killed.cwd, { 'k.txt': 'left behind\n' });
    await spaces.open({ taskId: 'wt-running', task: 't', workflow: 'default', cwd: dir, isolation: 'worktree' });

    const report = await cleanWorktrees(spaces.store, (id) => (id === 'wt-running' ? 'running' : 'finished'));

    expect(report.removed.map((r) => r.taskId).sort()).toEqual(['wt-applied', 'wt-killed', 'wt-nothing', 'wt-unmerged']);
    expect([...report.deletedBranches].sort()).toEqual(['aio/wt-applied', 'aio/wt-nothing']);
    expect(report.keptBranches.map((k) => [k.branch, k.commits]).sort()).toEqual([
      ['aio/wt-killed', 1],
      ['aio/wt-unmerged', 1],
    ]);
    expect(report.skipped).toEqual([{ taskId: 'wt-running', reason: 'its task is still running' }]);
    expect(git(dir, 'show', 'aio/wt-killed:k.txt')).toBe('left behind\n');
    expect(existsSync(killed.cwd)).toBe(false);
    expect(git(dir, 'worktree', 'list', '--porcelain')).not.toContain('wt-unmerged');
    expect(git(dir, 'worktree', 'list', '--porcelain')).toContain('wt-running');
  });
});
