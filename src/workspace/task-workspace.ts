/**
 * The workspace side of a task's life, for whatever runs tasks (the CLI today, the service and
 * workers later): where the agents work (the user's tree or a new worktree), a checkpoint before
 * each step and one at the end, each recorded with its step, and at the end the worktree's
 * changes committed on its branch. Checkpoint failures never fail the task: they are reported
 * and the task goes on (the agents' work matters more than its undo).
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Db } from '../storage/database.js';
import { OrchestratorError, errorMessage } from '../shared/errors.js';
import type { Checkpointer } from './checkpoint.js';
import { findRepository, git, type Repository } from './git.js';
import {
  checkpointRef,
  createWorkspaceStore,
  type CheckpointKind,
  type CheckpointRecord,
  type WorkspaceStore,
  type WorktreeRecord,
} from './workspace-store.js';

export type Isolation = 'none' | 'worktree';

export interface TaskWorkspacesOptions {
  readonly db: Db;
  /** Absolute folder of the worktrees (settings.worktree.dir resolved). */
  readonly worktreeDir: string;
  /** settings.worktree.copy */
  readonly copy: readonly string[];
}

export interface TaskWorkspaceRequest {
  readonly taskId: string;
  readonly task: string;
  readonly workflow: string;
  /** The directory the task was started in (absolute). */
  readonly cwd: string;
  readonly isolation: Isolation;
  /** The revision a worktree starts from (default HEAD). */
  readonly base?: string;
  /** `base` is a commit the caller has checked already (a queue worker's clone): not looked up again. */
  readonly baseIsCommit?: boolean;
  /** The repository's own tree has no work in it (a queue worker's clone): no check for uncommitted changes. */
  readonly originUnused?: boolean;
  /** One line for the user about this task's workspace (it has no git, where its worktree is). */
  readonly notice: (message: string) => void;
  /** Told of every checkpoint once it is recorded. */
  readonly onCheckpoint?: (checkpoint: CheckpointRecord) => void;
}

export interface TaskWorkspace {
  /** Where the agents work: `cwd`, or the same place inside the task's worktree. */
  readonly cwd: string;
  readonly worktree?: WorktreeRecord;
  /** Checkpoints the working tree before a step. Never throws. */
  beforeStep(step: { readonly iteration: number; readonly index: number }): Promise<void>;
  /** The end checkpoint, then (in a worktree) the commit of the task's changes. Never throws. */
  finish(end: { readonly status: string; readonly workflow?: string }): Promise<void>;
}

export interface TaskWorkspaces {
  readonly store: WorkspaceStore;
  /** Prepares a task's workspace; throws OrchestratorError when a worktree cannot be made. */
  open(request: TaskWorkspaceRequest): Promise<TaskWorkspace>;
}

export function createTaskWorkspaces(options: TaskWorkspacesOptions): TaskWorkspaces {
  const store = createWorkspaceStore(options.db);
  // Said once per process: a shell session runs many tasks in the same directory.
  let saidNoGit = false;

  async function open(request: TaskWorkspaceRequest): Promise<TaskWorkspace> {
    const origin = await findRepository(request.cwd);
    if (!origin) {
      if (request.isolation === 'worktree') {
        throw new OrchestratorError('INVALID_INPUT', `--worktree needs a git repository, and ${request.cwd} is not in one`);
      }
      // Said when the first step is about to run (a request refused before that says nothing else).
      const sayNoGit = (): Promise<void> => {
        if (!saidNoGit) {
          saidNoGit = true;
          request.notice(`${request.cwd} is not in a git repository: no checkpoints, so \`tasks diff\` and \`tasks rollback\` will not work for this task (they need git)`);
        }
        return Promise.resolve();
      };
      return { cwd: request.cwd, beforeStep: sayNoGit, finish: () => Promise.resolve() };
    }
    let repository: Repository = origin;
    let cwd = request.cwd;
    let worktree: WorktreeRecord | undefined;
    // Worktrees and checkpoints load only for a task in a git repository.
    const [{ createCheckpointer }, { commitWorktree, createWorktree }] = await Promise.all([import('./checkpoint.js'), import('./worktree.js')]);
    if (request.isolation === 'worktree') {
      const created = await createWorktree({
        repository: origin,
        taskId: request.taskId,
        workflow: request.workflow,
        ...(request.base !== undefined ? { base: request.base } : {}),
        ...(request.baseIsCommit ? { baseIsCommit: true } : {}),
        dir: options.worktreeDir,
        copy: options.copy,
        store,
      });
      worktree = created.record;
      for (const entry of created.missing) request.notice(`settings.worktree.copy: ${entry} does not exist in ${origin.root}; not copied`);
      // The same place inside the worktree as the task's directory inside the repository.
      cwd = path.join(worktree.path, path.relative(origin.root, request.cwd));
      mkdirSync(cwd, { recursive: true });
      const inWorktree = await findRepository(worktree.path);
      if (inWorktree) repository = inWorktree;
      if (!request.originUnused) await noteUncommittedChanges(origin.root, worktree, request.notice);
      request.notice(`task ${request.taskId.slice(0, 8)} works in ${worktree.path} on branch ${worktree.branch}`);
    }
    const checkpointer: Checkpointer = createCheckpointer(repository);
    let parent: string | undefined;

    async function checkpoint(kind: CheckpointKind, step?: { iteration: number; index: number }): Promise<void> {
      try {
        const seq = store.nextCheckpointSeq(request.taskId);
        const ref = checkpointRef(request.taskId, seq);
        const what = step ? `before step ${step.iteration}.${step.index + 1}` : 'at the end';
        const commit = await checkpointer.take({
          ref,
          message: `ai-orchestrator checkpoint: task ${request.taskId}, ${what}\n\nWorkflow ${request.workflow}. ${oneLine(request.task)}\n`,
          ...(parent ? { parent } : {}),
        });
        parent = commit;
        const recorded = store.addCheckpoint({
          taskId: request.taskId,
          seq,
          kind,
          ...(step ? { iteration: step.iteration, stepIndex: step.index } : {}),
          repo: repository.root,
          commit,
          ref,
        });
        request.onCheckpoint?.(recorded);
      } catch (error) {
        request.notice(`checkpoint ${step ? `before step ${step.iteration}.${step.index + 1}` : 'at the end'} failed: ${errorMessage(error)}`);
      }
    }

    return {
      cwd,
      ...(worktree ? { worktree } : {}),
      beforeStep: (step) => checkpoint('step', step),
      async finish(end) {
        await checkpoint('end');
        checkpointer.dispose();
        if (!worktree) return;
        try {
          const commit = await commitWorktree(
            worktree.path,
            `ai-orchestrator: ${oneLine(request.task)}\n\nTask ${request.taskId}, workflow ${end.workflow ?? request.workflow}, ${end.status}.\n`,
            options.copy,
          );
          if (commit) {
            store.setWorktreeCommit(request.taskId, commit);
            request.notice(`changes committed on ${worktree.branch}; \`ai-orchestrator tasks apply ${request.taskId.slice(0, 8)}\` brings them into your tree`);
          } else {
            request.notice(`task ${request.taskId.slice(0, 8)} changed nothing in its worktree`);
          }
        } catch (error) {
          request.notice(`could not commit the task's changes on ${worktree.branch}: ${errorMessage(error)} (they are still in ${worktree.path})`);
        }
      },
    };
  }

  return { store, open };
}

/** A worktree starts from a commit: changes not committed in the main tree are not in it. */
async function noteUncommittedChanges(root: string, worktree: WorktreeRecord, notice: (message: string) => void): Promise<void> {
  const status = await git(root, ['status', '--porcelain', '--untracked-files=no']).catch(() => '');
  if (status.trim() !== '') {
    notice(`the worktree starts from ${worktree.baseCommit.slice(0, 10)}; uncommitted changes in ${root} are not in it`);
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 72 ? `${flat.slice(0, 71)}…` : flat;
}
