/**
 * Every name queue mode uses in Redis, in one place, under the fleet's name (settings.queue.name):
 * one BullMQ queue per set of agents a task needs, and per task an event stream, an owner, a
 * cancel flag, the shipped checkpoint and the result bundle.
 */
import { createHash } from 'node:crypto';

export interface QueueKeys {
  /** The fleet's name (settings.queue.name). */
  readonly name: string;
  /** The task's events, one entry per event with id `<seq>-0`. */
  events(taskId: string): string;
  /** The token of whoever may append to the task's events now (a worker's attempt, or the coordinator). */
  owner(taskId: string): string;
  /** Set when the task is to be cancelled; a worker checks it as it starts and while it runs. */
  cancel(taskId: string): string;
  /** The latest shipped checkpoint: commit, step position, git bundle. */
  checkpoint(taskId: string): string;
  /** The result as a git bundle, when it could not be pushed. */
  result(taskId: string): string;
  /** Pub/sub channel carrying the ids of tasks to cancel. */
  readonly cancelChannel: string;
  /** BullMQ queue name → the agents its tasks need (JSON), for workers to find the queues they can serve. */
  readonly registry: string;
  /** Pub/sub channel carrying the name of each queue newly added to the registry. */
  readonly registryChannel: string;
  /** Worker name → what it has and when it last said so (JSON). */
  readonly workers: string;
  /** The BullMQ queue of tasks that need exactly these agents. */
  queueFor(agents: readonly string[]): string;
}

export function queueKeys(name: string): QueueKeys {
  const task = (taskId: string, part: string): string => `${name}:task:${taskId}:${part}`;
  return {
    name,
    events: (taskId) => task(taskId, 'events'),
    owner: (taskId) => task(taskId, 'owner'),
    cancel: (taskId) => task(taskId, 'cancel'),
    checkpoint: (taskId) => task(taskId, 'checkpoint'),
    result: (taskId) => task(taskId, 'result'),
    cancelChannel: `${name}:cancel`,
    registry: `${name}:queues`,
    registryChannel: `${name}:new-queue`,
    workers: `${name}:workers`,
    queueFor(agents) {
      const set = [...new Set(agents)].sort();
      // BullMQ queue names may not hold ':'; agent names may hold anything, so a hash names the set.
      return set.length === 0 ? `${name}-any` : `${name}-${createHash('sha256').update(set.join('\n')).digest('hex').slice(0, 16)}`;
    },
  };
}

/** Whether a worker with `has` can run a task that needs `needs`. */
export function canServe(has: ReadonlySet<string>, needs: readonly string[]): boolean {
  return needs.every((agent) => has.has(agent));
}
