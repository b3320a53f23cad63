/**
 * GET /api/tasks/:id/diff — what a task changed, file by file with each file's patch (as `tasks
 * diff` computes it: a `--worktree` task's branch against its base once it has ended, else its
 * checkpoints). Redacted like everything the server sends, and cut to a size a page can hold. A
 * task without checkpoints (not in a git repository, or no step started yet) answers
 * `available: false` with the reason, not an error: there is nothing wrong with the request.
 */
import { z } from 'zod';
import { databasePath, openDatabase } from '../../storage/database.js';
import { ACTIVE_STATUSES } from '../../tasks/task-state.js';
import { taskPatch, type FilePatch } from '../../workspace/task-patch.js';
import { createWorkspaceStore, type WorkspaceStore } from '../../workspace/workspace-store.js';
import type { ServerContext } from '../server-context.js';
import { taskParams } from './task-routes.js';

const diffQuery = z.object({
  /** One step: its number in the order steps ran ("3"), or iteration.step ("2.1"). */
  step: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,4})?$/, 'a step number (3) or iteration.step (2.1)')
    .optional(),
});

export function registerTaskDiffRoutes(context: ServerContext): void {
  const { api, service, redact } = context;
  let workspace: WorkspaceStore | undefined;

  api.route({
    method: 'GET',
    url: '/api/tasks/:id/diff',
    summary: "what the task changed: files with their patches (a worktree task's branch against its base), redacted and capped",
    params: taskParams,
    query: diffQuery,
    handler: async ({ params, query }) => {
      const task = service.resolve(params.id);
      workspace ??= createWorkspaceStore(openDatabase(databasePath(context.home)));
      const changes = await taskPatch(workspace, { id: task.id, running: ACTIVE_STATUSES.includes(task.status) }, { ...(query.step !== undefined ? { step: query.step } : {}), redact });
      if (!changes.available) return { task_id: task.id, status: task.status, available: false, reason: changes.reason, files: [] };
      return {
        task_id: task.id,
        status: task.status,
        available: true,
        source: changes.source,
        repo: changes.repo,
        from: changes.from,
        to: changes.to,
        to_label: changes.toLabel,
        branch: changes.branch ?? null,
        step: changes.step ? { number: changes.step.number, iteration: changes.step.iteration ?? null, index: changes.step.stepIndex ?? null } : null,
        files: changes.files.map(fileJson),
        totals: changes.totals,
        truncated: changes.truncated,
      };
    },
  });
}

function fileJson(file: FilePatch): Record<string, unknown> {
  return {
    path: file.path,
    status: file.status,
    additions: file.additions ?? null,
    deletions: file.deletions ?? null,
    binary: file.binary,
    patch: file.patch ?? null,
    omitted: file.omitted ?? null,
    cut: file.cut,
  };
}
