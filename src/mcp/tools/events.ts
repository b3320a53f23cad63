/**
 * orchestrator_events: a task's events after a sequence number, as stored in its log (redacted,
 * capped). A client polls with the last `seq` it got and misses nothing.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isFinal } from '../../tasks/task-state.js';
import { taskIdInput } from '../task-shapes.js';
import { structured, type ToolContext } from '../tool-kit.js';

const MAX_EVENTS = 1_000;

export function registerEventsTool(server: McpServer, context: ToolContext): void {
  const { service } = context;
  server.registerTool(
    'orchestrator_events',
    {
      title: 'Task events',
      description:
        "A task's events (task.planned, step.started, step.activity, step.finished, iteration.finished, task.finished, …) after the given seq. " +
        'Call again with next_since to get what came after; finished tells when nothing more will come.',
      inputSchema: {
        task_id: taskIdInput,
        since: z.number().int().min(0).default(0).describe('return events with a seq greater than this (0: from the start)'),
        limit: z.number().int().min(1).max(MAX_EVENTS).default(200).describe('at most this many events'),
      },
      outputSchema: {
        task_id: z.string(),
        events: z.array(z.object({ seq: z.number().int(), type: z.string(), event: z.record(z.string(), z.unknown()) })),
        next_since: z.number().int().describe('the seq to pass as `since` next time'),
        finished: z.boolean().describe('the task has ended and every event up to its end is in this answer or an earlier one'),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ task_id, since, limit }) => {
      const task = service.resolve(task_id);
      const events = service.events(task.id, { since, limit });
      const nextSince = events.at(-1)?.seq ?? since;
      const ended = isFinal(service.get(task.id)?.status ?? task.status);
      const more = service.events(task.id, { since: nextSince, limit: 1 }).length > 0;
      return structured({
        task_id: task.id,
        events: events.map(({ seq, event }) => ({ seq, type: event.type, event: { ...event } })),
        next_since: nextSince,
        finished: ended && !more,
      });
    },
  );
}
