/**
 * Resilience shared by a fleet of workers through Redis (queue mode only: nothing imports this
 * module without `settings.queue`, so one machine never loads ioredis).
 *
 *  - `semaphoreFor(agent, max)`: the agent's `max_concurrency` held across every process on this
 *    Redis (fleet-semaphore.ts). A slot is a lease refreshed while the call runs and given back
 *    when it ends, fails, times out or is cancelled; a killed process's slots come back
 *    `leaseMs` after its last refresh (default 30 s).
 *  - `healthStore`: this machine's health store, with circuits read from a mirror of the
 *    fleet's (fleet-circuits.ts) and every call record also sent to the fleet and the other
 *    machines' records imported (fleet-calls.ts): success rates, circuits and call counts read
 *    the same on every machine. Circuit changes from elsewhere are also written to the local
 *    database, so a short-lived command there (`agents`, `doctor`) shows the fleet's circuits.
 *
 * Wiring, in a process that runs agents (a `worker`, a `serve --queue` that plans):
 *
 *     const { createFleetResilience } = await import('../resilience/fleet/fleet-resilience.js');
 *     const fleet = await createFleetResilience({
 *       redisUrl: config.settings.queue.url,
 *       local: health,                                   // createAgentHealthStore(db)
 *       origin: `${os.hostname()}:${databaseFile}`,      // stable per health database
 *       prefix: config.settings.queue.name,
 *       leaseMs: config.settings.queue.stall_timeout * 1000, // a dead worker's slots free as its jobs stall
 *       logger,
 *     });
 *     const resilience = createResilience({ config, store: fleet.healthStore, semaphoreFor: fleet.semaphoreFor, ... });
 *     ...
 *     await fleet.close();                               // on shutdown, after the last call ended
 *
 * A coordinator that runs no agents but should show fleet figures wires only `healthStore`
 * (its import keeps the local tables current). Every process of one fleet must use the same
 * `prefix` and the same `max_concurrency` per agent (the limit travels with each acquire).
 */
import type { Logger } from '../../observability/logger.js';
import type { AgentHealth, AgentHealthStore } from '../agent-health-store.js';
import { CLOSED } from '../circuit-breaker.js';
import type { Semaphore } from '../concurrency.js';
import { createFleetCalls } from './fleet-calls.js';
import { createFleetCircuits } from './fleet-circuits.js';
import { createFleetSemaphore } from './fleet-semaphore.js';
import { displayRedisUrl, openFleetConnection, waitUntilReady } from './redis-connection.js';

export interface FleetResilienceSettings {
  /** `redis://[:password@]host:port[/db]` — the queue's Redis. */
  readonly redisUrl: string;
  /** This machine's health store (the project database's). */
  readonly local: AgentHealthStore;
  /**
   * Names `local` across restarts (e.g. host name + database path): records made through it
   * are not imported back into it, and its read position in the fleet's records is kept.
   */
  readonly origin: string;
  /** Key prefix in Redis (default `aio`); fleets sharing one Redis use different ones. */
  readonly prefix?: string;
  /** How long a slot outlives its holder's last refresh (default 30 s). */
  readonly leaseMs?: number;
  /** How often a waiter asks for a slot (default 100 ms). */
  readonly pollMs?: number;
  /** Fleet call records kept in Redis (default 10 000). */
  readonly historyLength?: number;
  /** How long the first connection may take before start-up fails with QUEUE_UNAVAILABLE (default 5 s). */
  readonly connectTimeoutMs?: number;
  readonly logger?: Pick<Logger, 'warn'>;
}

export interface FleetResilience {
  /** For `createResilience({ semaphoreFor })`: one fleet-wide semaphore per agent. */
  readonly semaphoreFor: (agent: string, max: number) => Semaphore;
  /** For `createResilience({ store })` and for whatever reads health on this machine. */
  readonly healthStore: AgentHealthStore;
  /** Gives back held slots, stops importing and closes the connections. */
  close(): Promise<void>;
}

export const DEFAULT_LEASE_MS = 30_000;
const CLOSE_TIMEOUT_MS = 3_000;

export async function createFleetResilience(settings: FleetResilienceSettings): Promise<FleetResilience> {
  const { redisUrl, local, logger } = settings;
  const prefix = settings.prefix ?? 'aio';
  const leaseMs = settings.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = settings.pollMs ?? 100;
  const warn = (message: string): void => logger?.warn(message);
  const where = displayRedisUrl(redisUrl);

  // Three connections: commands, the circuits subscription, and the blocking read of call records.
  const redis = openFleetConnection(redisUrl, `${prefix}:fleet`, {
    onDown: (reason) => warn(`Redis at ${where} unreachable (${reason}): fleet limits and circuits wait for it`),
  });
  const subscriber = openFleetConnection(redisUrl, `${prefix}:fleet:circuits`);
  const reader = openFleetConnection(redisUrl, `${prefix}:fleet:calls`);
  const connections = [redis, subscriber, reader];

  const circuits = createFleetCircuits({
    redis,
    subscriber,
    prefix,
    onRemote: (agent, snapshot) => local.saveCircuit(agent, snapshot ?? CLOSED),
    onError: warn,
  });
  const calls = createFleetCalls({
    redis,
    reader,
    prefix,
    origin: settings.origin,
    historyLength: settings.historyLength ?? 10_000,
    importCall: (call) => local.recordCall(call),
    onError: warn,
  });

  try {
    const timeoutMs = settings.connectTimeoutMs ?? 5_000;
    await Promise.all(connections.map((connection) => waitUntilReady(connection, redisUrl, timeoutMs)));
    await circuits.load();
    // Circuits the local database remembers but the fleet does not have are closed fleet-wide.
    for (const { agent } of local.circuits()) if (!circuits.loadCircuit(agent)) local.saveCircuit(agent, CLOSED);
    await calls.start();
  } catch (error) {
    for (const connection of connections) connection.disconnect();
    throw error;
  }

  const semaphores = new Map<string, ReturnType<typeof createFleetSemaphore>>();
  const semaphoreFor = (agent: string, max: number): Semaphore => {
    const name = `${agent}\u0000${max}`;
    let semaphore = semaphores.get(name);
    if (!semaphore) {
      semaphore = createFleetSemaphore({ redis, key: `${prefix}:agent:${agent}`, max, leaseMs, pollMs, onLost: warn });
      semaphores.set(name, semaphore);
    }
    return semaphore;
  };

  const withFleetCircuit = (health: AgentHealth): AgentHealth => ({ ...health, circuit: circuits.loadCircuit(health.agent) ?? CLOSED });

  const healthStore: AgentHealthStore = {
    recordCall(call) {
      local.recordCall(call);
      calls.forward(call);
    },
    loadCircuit: (agent) => circuits.loadCircuit(agent),
    saveCircuit(agent, snapshot) {
      circuits.saveCircuit(agent, snapshot);
      local.saveCircuit(agent, snapshot);
    },
    health: (agent) => withFleetCircuit(local.health(agent)),
    allHealth: () => local.allHealth().map(withFleetCircuit),
    aggregates: () => local.aggregates(),
    durations: () => local.durations(),
    failuresSinceSuccess: (agent, kind) => local.failuresSinceSuccess(agent, kind),
    circuits: () => circuits.all(),
  };

  return {
    semaphoreFor,
    healthStore,
    async close() {
      const orderly = async (): Promise<void> => {
        await Promise.all([...semaphores.values()].map((semaphore) => semaphore.releaseAll()));
        await circuits.close();
        await calls.close();
        // QUIT lets queued writes (a last circuit change, a last call record) reach Redis first.
        await Promise.all([redis.quit(), subscriber.quit()]);
      };
      // Commands wait for Redis while it is away; closing does not wait for ever: unreleased
      // slots then expire with their leases.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
      await Promise.race([orderly().catch(() => undefined), deadline]);
      clearTimeout(timer);
      for (const connection of connections) connection.disconnect();
    },
  };
}
