/**
 * Checkpoints, `tasks diff`, `tasks rollback` and worktrees through the real binary, with generic
 * fixture agents (test/fixtures/bin/fake-cli.mjs) on real git repositories — including a task
 * whose orchestrator was killed with SIGKILL in the middle of a step, and two `run --worktree`
 * tasks on one repository at the same time.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CLI, REPO_ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { git, gitRepo, read, userGitState, writeFiles } from '../helpers/git-repo.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
const REVIEW_OK = 'Looks complete.\n```json\n{"suggestions": []}\n```\n';

interface Setup {
  readonly home: string;
  readonly config: string;
  readonly env: Record<string, string>;
}

/** A config whose `impl` agent writes `file` (relative to its cwd), and a reviewer that is content. */
function setup(impl: Record<string, string>, settings: Record<string, unknown> = {}): Setup {
  const home = tempDir('aio-home-');
  const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
  const agent = (env: Record<string, string>) => ({ type: 'generic', command: FAKE_CLI, env, timeout: 60 });
  writeFileSync(
    config,
    stringify({
      agents: { impl: agent(impl), rev: agent({ FAKE_STDOUT: REVIEW_OK }) },
      workflows: { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }] },
      settings: { max_iterations: 1, create_reports: false, enable_context_memory: false, ...settings },
    }),
  );
  return { home, config, env: { AI_ORCHESTRATOR_HOME: home } };
}

const cli = (s: Setup, args: readonly string[], cwd: string): Promise<CliResult> =>
  runCli([...args, '--config', s.config], { cwd, env: s.env, timeoutMs: 60_000 });

async function runTask(s: Setup, cwd: string, extra: readonly string[] = []): Promise<{ taskId: string; result: CliResult }> {
  const result = await cli(s, ['run', 'change a.txt', '--json', '--cwd', cwd, ...extra], cwd);
  let taskId: string;
  try {
    taskId = (JSON.parse(result.stdout) as { task_id: string }).task_id;
  } catch {
    throw new Error(`run printed no JSON (exit ${String(result.code)}):\n${result.stdout}\n${result.stderr}`);
  }
  return { taskId, result };
}

const pidsToReap: number[] = [];
afterEach(() => {
  for (const pid of pidsToReap.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('checkpoints, diff and rollback through the CLI', () => {
  it('diffs a task and each step, refuses a rollback over files changed again, forces it, undoes it — HEAD, branch, index and stash untouched', async () => {
    const repo = gitRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    writeFiles(repo, { 'staged.txt': 'staged\n', 'mine.txt': 'the user’s untracked file\n' });
    git(repo, 'add', 'staged.txt');
    writeFiles(repo, { 'stash-me.txt': 's\n' });
    git(repo, 'stash', 'push', '-q', '--include-untracked', '--', 'stash-me.txt');
    const before = userGitState(repo);
    const s = setup({ FAKE_WRITE_FILE: 'a.txt', FAKE_WRITE_CONTENT: 'a by the agent\n', FAKE_STDOUT: 'done' });

    const { taskId, result } = await runTask(s, repo);
    expect(result.code, result.stderr).toBe(0);
    expect(read(repo, 'a.txt')).toBe('a by the agent\n');
    expect(userGitState(repo)).toEqual(before);

    const stat = await cli(s, ['tasks', 'diff', taskId.slice(0, 8), '--stat'], repo);
    expect(stat.code, stat.stderr).toBe(0);
    expect(stat.stdout).toMatch(/modified\s+a\.txt\s+\+1 -1/);
    expect(stat.stdout).not.toContain('mine.txt');
    const patch = await cli(s, ['tasks', 'diff', taskId], repo);
    expect(patch.stdout).toContain('+a by the agent');
    const review = JSON.parse((await cli(s, ['tasks', 'diff', taskId, '--step', '1.2', '--json'], repo)).stdout) as { files: unknown[]; to_label: string };
    expect(review).toMatchObject({ files: [], to_label: 'end' });
    const implement = JSON.parse((await cli(s, ['tasks', 'diff', taskId, '--step', '1', '--json'], repo)).stdout) as { files: { path: string; status: string }[] };
    expect(implement.files).toEqual([{ path: 'a.txt', status: 'modified', additions: 1, deletions: 1, binary: false }]);

    writeFiles(repo, { 'a.txt': 'the user edited a.txt after the task\n' });
    const refused = await cli(s, ['tasks', 'rollback', taskId], repo);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/refusing to roll back task .*: a\.txt changed again after the task/);
    expect(read(repo, 'a.txt')).toBe('the user edited a.txt after the task\n');

    const forced = await cli(s, ['tasks', 'rollback', taskId, '--force'], repo);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('rolled back 1 file');
    expect(read(repo, 'a.txt')).toBe('a\n');
    expect(read(repo, 'mine.txt')).toBe('the user’s untracked file\n');
    expect(userGitState(repo)).toEqual(before);

    const undone = await cli(s, ['tasks', 'rollback', taskId, '--undo'], repo);
    expect(undone.code, undone.stderr).toBe(0);
    expect(read(repo, 'a.txt')).toBe('the user edited a.txt after the task\n');
    expect(userGitState(repo)).toEqual(before);
  }, 120_000);

  it('diffs and rolls back a task whose orchestrator was killed with SIGKILL mid-step', async () => {
    const repo = gitRepo();
    const work = tempDir('aio-kill-');
    const pidFile = path.join(work, 'agent.pid');
    const s = setup({ FAKE_WRITE_FILE: 'half-done.txt', FAKE_WRITE_CONTENT: 'written before the kill\n', FAKE_PID_FILE: pidFile, FAKE_HANG: '1' });
    const child = spawn(process.execPath, [CLI, 'run', 'change things', '--config', s.config, '--cwd', repo], {
      env: { ...process.env, NO_COLOR: '1', ...s.env },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 30_000;
    while (!existsSync(pidFile) || !existsSync(path.join(repo, 'half-done.txt'))) {
      if (Date.now() > deadline) throw new Error('the agent never started');
      await sleep(50);
    }
    const agentPid = Number(readFileSync(pidFile, 'utf8'));
    pidsToReap.push(agentPid);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const list = JSON.parse((await cli(s, ['tasks', 'list', '--json'], repo)).stdout) as { tasks: { task_id: string; status: string }[] };
    const task = list.tasks[0];
    expect(task?.status).toBe('interrupted');
    const diff = await cli(s, ['tasks', 'diff', task?.task_id ?? '', '--stat'], repo);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stderr).toContain('no end checkpoint (interrupted): compared with the working tree now');
    expect(diff.stdout).toMatch(/added\s+half-done\.txt/);

    const rolled = await cli(s, ['tasks', 'rollback', task?.task_id ?? ''], repo);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(existsSync(path.join(repo, 'half-done.txt'))).toBe(false);
  }, 120_000);

  it('says once that checkpoints need git when run outside a repository, and diff explains why it has nothing', async () => {
    const plain = tempDir('aio-plain-');
    const s = setup({ FAKE_WRITE_FILE: 'a.txt', FAKE_STDOUT: 'done' });
    const { taskId, result } = await runTask(s, plain);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/need git/g)).toHaveLength(1);
    const diff = await cli(s, ['tasks', 'diff', taskId], plain);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(/no checkpoints: it did not run in a git repository/);
  }, 60_000);
});

describe('run --worktree through the CLI', () => {
  it('runs two tasks on one repository at once, each on its own branch with only its own change; apply and clean', async () => {
    const repo = gitRepo();
    writeFiles(repo, { 'dirty.txt': 'the user’s work in progress\n' });
    const before = { state: userGitState(repo), status: git(repo, 'status', '--porcelain') };
    // The agents sleep so that the two runs overlap.
    const one = setup({ FAKE_WRITE_FILE: 'one.txt', FAKE_WRITE_CONTENT: 'from task one\n', FAKE_SLEEP_MS: '1500', FAKE_STDOUT: 'done one' });
    const two = { ...one, config: path.join(tempDir('aio-cfg-'), 'agents.yaml') };
    writeFileSync(
      two.config,
      stringify({
        agents: {
          impl: { type: 'generic', command: FAKE_CLI, env: { FAKE_WRITE_FILE: 'two.txt', FAKE_WRITE_CONTENT: 'from task two\n', FAKE_SLEEP_MS: '1500', FAKE_STDOUT: 'done two' }, timeout: 60 },
          rev: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: REVIEW_OK }, timeout: 60 },
        },
        workflows: { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }] },
        settings: { max_iterations: 1, create_reports: false, enable_context_memory: false },
      }),
    );

    const [a, b] = await Promise.all([runTask(one, repo, ['--worktree']), runTask(two, repo, ['--worktree'])]);
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(b.result.code, b.result.stderr).toBe(0);
    // Side by side, not one after the other (each agent alone sleeps 1.5 s).
    expect(a.result.stderr).not.toContain('queued');
    expect(b.result.stderr).not.toContain('queued');

    const filesOn = (taskId: string): string[] => git(repo, 'diff', '--name-only', 'main', `aio/${taskId}`).trim().split('\n');
    expect(filesOn(a.taskId)).toEqual(['one.txt']);
    expect(filesOn(b.taskId)).toEqual(['two.txt']);
    expect(git(repo, 'log', '-1', '--format=%B', `aio/${a.taskId}`)).toContain(`Task ${a.taskId}, workflow default, completed.`);
    expect(existsSync(path.join(repo, 'one.txt'))).toBe(false);
    expect(existsSync(path.join(repo, 'two.txt'))).toBe(false);
    expect(git(repo, 'status', '--porcelain')).toBe(before.status);
    expect({ ...userGitState(repo), branches: '' }).toEqual({ ...before.state, branches: '' });
    expect(a.result.stderr).toMatch(/works in .*worktrees.* on branch aio\//);
    // The commit is announced before the task's end is published, so a follower sees it.
    expect(a.result.stderr).toMatch(/changes committed on aio\/.*tasks apply/);

    const applied = await cli(one, ['tasks', 'apply', a.taskId.slice(0, 8)], repo);
    expect(applied.code, applied.stderr).toBe(0);
    expect(read(repo, 'one.txt')).toBe('from task one\n');
    const again = await cli(one, ['tasks', 'apply', a.taskId.slice(0, 8)], repo);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/refusing to apply task .*: one\.txt conflict/);
    git(repo, 'add', 'one.txt');
    git(repo, 'commit', '-qm', 'take task one');

    // A dry run says what the clean below does, and changes nothing.
    const worktreesBefore = git(repo, 'worktree', 'list', '--porcelain');
    const refsBefore = git(repo, 'for-each-ref');
    const dry = await cli(one, ['tasks', 'clean', '--dry-run', '--older-than', '0s'], repo);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing was changed');
    expect(dry.stdout).toMatch(/would delete 2 tasks older than 0s: [0-9a-f]{8}, [0-9a-f]{8}\n/);
    expect(dry.stdout).toContain('would remove 2 worktrees');
    expect(dry.stdout).toMatch(/would delete \d+ checkpoint refs of deleted tasks/);
    expect(dry.stdout).toContain(`merged branch aio/${a.taskId} would be deleted`);
    expect(dry.stdout).toContain(`branch aio/${b.taskId} would be kept: 1 commit not merged anywhere`);
    expect(git(repo, 'worktree', 'list', '--porcelain')).toBe(worktreesBefore);
    expect(git(repo, 'for-each-ref')).toBe(refsBefore); // branches and checkpoint refs
    const listed = JSON.parse((await cli(one, ['tasks', 'list', '--json'], repo)).stdout) as { tasks: unknown[] };
    expect(listed.tasks).toHaveLength(2);

    const cleaned = await cli(one, ['tasks', 'clean'], repo);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain('removed 2 worktrees');
    expect(cleaned.stdout).toContain(`deleted merged branch aio/${a.taskId}`);
    expect(cleaned.stdout).toContain(`kept branch aio/${b.taskId}: 1 commit not merged anywhere`);
    expect(git(repo, 'branch', '--list', 'aio/*').trim()).toBe(`aio/${b.taskId}`);
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toContain('worktrees/');
  }, 120_000);

  it('refuses --worktree outside a git repository and --base without --worktree, before any task exists', async () => {
    const s = setup({ FAKE_STDOUT: 'done' });
    const plain = tempDir('aio-plain-');
    const outside = await cli(s, ['run', 'x', '--worktree', '--cwd', plain], plain);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/--worktree needs a git repository/);
    const base = await cli(s, ['run', 'x', '--base', 'main', '--cwd', gitRepo()], plain);
    expect(base.code).toBe(2);
    expect(base.stderr).toMatch(/--base needs --worktree/);
    const list = JSON.parse((await cli(s, ['tasks', 'list', '--json'], plain)).stdout) as { tasks: unknown[] };
    expect(list.tasks).toEqual([]);
  }, 60_000);
});
