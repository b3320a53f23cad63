/**
 * A worker's side of a task's events: each event its task publishes goes to the task's stream
 * with the next seq, in order, through a Redis outage (ioredis holds the commands and sends them
 * once it is back). Events that come while a command is out go together in the next one.
 *
 * A finished step is held back until the checkpoint before the next step has been shipped (or
 * the task ends): whoever takes the task over after a crash sees a step as done only when the
 * tree it left is available too, so a takeover never re-runs a completed step and never runs the
 * next one on a tree without its predecessor's work.
 */
import type { OrchestratorEvent } from '../events/events.js';
import { errorMessage } from '../shared/errors.js';
import { NotOwnerError, type TaskStreams } from './task-stream.js';

export interface EventForwarderOptions {
  readonly streams: TaskStreams;
  readonly taskId: string;
  /** This attempt's ownership token. */
  readonly token: string;
  /** The seq of the first event sent. */
  readonly firstSeq: number;
  /** Ships a step checkpoint's commit (a git bundle to Redis) before the events that rely on it go out. */
  readonly ship: (checkpoint: { readonly commit: string; readonly ref: string; readonly iteration: number; readonly index: number }) => Promise<void>;
  /** Another worker owns the task now: stop its run here. Called once. */
  readonly onLost: (reason: string) => void;
  readonly onProblem: (message: string) => void;
}

export interface EventForwarder {
  send(event: OrchestratorEvent): void;
  /** Settles once everything sent so far is in the stream (or dropped after ownership was lost). */
  flush(): Promise<void>;
  /** Drops whatever is not sent yet and sends nothing more (the task is being handed back). */
  detach(): void;
}

const RETRY_MS = [500, 1_000, 2_000, 5_000];
/** Events per command: a step's burst goes in one round trip, a long backlog in a few. */
const BATCH = 100;

export function createEventForwarder(options: EventForwarderOptions): EventForwarder {
  const { streams, taskId, token } = options;
  let seq = options.firstSeq;
  let chain: Promise<void> = Promise.resolve();
  /** Sent, not looked at yet: whatever piles up while a command is out goes in the next one. */
  let incoming: OrchestratorEvent[] = [];
  let held: OrchestratorEvent[] | undefined;
  let stopped = false;

  async function appendAll(events: readonly OrchestratorEvent[]): Promise<void> {
    for (let from = 0; from < events.length && !stopped; from += BATCH) {
      const batch = events.slice(from, from + BATCH);
      for (let attempt = 0; !stopped; attempt++) {
        try {
          await streams.appendMany(taskId, token, seq, batch);
          seq += batch.length;
          break;
        } catch (error) {
          if (error instanceof NotOwnerError) {
            stopped = true;
            options.onLost(error.message);
            return;
          }
          if (attempt === 0) options.onProblem(`could not send events of task ${taskId.slice(0, 8)} to the queue (${errorMessage(error)}); retrying`);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
        }
      }
    }
  }

  /** Sends what came in, in order, holding a finished step back until its checkpoint has shipped. */
  async function drain(): Promise<void> {
    const events = incoming;
    incoming = [];
    let ready: OrchestratorEvent[] = [];
    for (const event of events) {
      if (stopped) return;
      if (!held) {
        if (event.type === 'step.finished') held = [event];
        else ready.push(event);
        continue;
      }
      held.push(event);
      if (event.type === 'workspace.checkpoint' && event.kind === 'step' && event.iteration !== undefined && event.index !== undefined) {
        await appendAll(ready);
        ready = [];
        try {
          await options.ship({ commit: event.commit, ref: event.ref, iteration: event.iteration, index: event.index });
        } catch (error) {
          options.onProblem(`could not ship checkpoint ${event.commit.slice(0, 10)} of task ${taskId.slice(0, 8)}: ${errorMessage(error)} (a takeover would start from an earlier one)`);
        }
      } else if (event.type !== 'step.started' && event.type !== 'task.finished') {
        continue;
      }
      ready.push(...held);
      held = undefined;
    }
    await appendAll(ready);
  }

  return {
    send(event) {
      if (stopped) return;
      incoming.push(event);
      if (incoming.length === 1) chain = chain.then(drain);
    },
    flush() {
      chain = chain.then(async () => {
        await drain();
        const release = held ?? [];
        held = undefined;
        await appendAll(release);
      });
      return chain;
    },
    detach() {
      stopped = true;
      incoming = [];
      held = undefined;
    },
  };
}
