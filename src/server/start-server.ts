/**
 * `serve`'s body: the task service, the token, the fastify app and Socket.IO on one port, and a
 * clean shutdown — on SIGINT/SIGTERM the running tasks are cancelled and stored as such (or, with
 * `drain`, waited for) before the process exits.
 */
import { readFileSync } from 'node:fs';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { withQueueUrl } from '../config/queue-url.js';
import type { Logger } from '../observability/logger.js';
import { createAuditLog } from '../security/audit-log.js';
import { auditTaskService } from '../service/service-audit.js';
import { createTaskService, type TaskService } from '../service/task-service.js';
import { errorMessage, OrchestratorError } from '../shared/errors.js';
import type { HttpEndpointFactory } from '../service/http-endpoint.js';
import { createServerApp, type ServerApp } from './app.js';
import type { SlowClientLimits } from './slow-clients.js';
import { resolveServerToken } from './server-token.js';

export interface StartServerOptions {
  readonly host: string;
  readonly port: number;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  /** The workspace: tasks' default working directory; /api/files is confined to it. */
  readonly workspace: string;
  readonly configPath?: string;
  readonly logger: Logger;
  readonly drain?: boolean;
  readonly allowConfigCommands?: boolean;
  readonly allowedHosts?: readonly string[];
  readonly uiDir?: string;
  /** Where the URL and login link are printed (the command's stdout). */
  readonly print: (line: string) => void;
  /** Handle SIGINT/SIGTERM (default true; tests stop the server with `close`). */
  readonly handleSignals?: boolean;
  /** Other surfaces' endpoints to mount (the binary passes MCP's), built over this server's service. */
  readonly endpoints?: readonly HttpEndpointFactory[];
  /** Queue mode with this Redis URL (over settings.queue.url): tasks go to `worker` processes. */
  readonly queueUrl?: string;
  /** When live-events clients that do not read are disconnected (tests make it quick). */
  readonly slowClients?: Partial<SlowClientLimits>;
}

export interface RunningServer {
  readonly url: string;
  readonly service: TaskService;
  readonly server: ServerApp;
  /** A fresh one-time login link. */
  loginLink(): string;
  /** Cancels (or with drain, waits for) running tasks, then stops listening. */
  close(options?: { readonly drain?: boolean }): Promise<void>;
  /** Settles when the server has stopped. */
  readonly closed: Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if (!isLoopback(options.host) && !options.env['AI_ORCHESTRATOR_TOKEN']?.trim()) {
    throw new OrchestratorError('INVALID_INPUT', `refusing to listen on ${options.host} without AI_ORCHESTRATOR_TOKEN: set a token before exposing the server beyond this machine`);
  }
  const load = (): LoadedConfig => loadConfig({ ...(options.configPath ? { configPath: options.configPath } : {}), cwd: options.workspace, env: options.env });
  const loaded = load();
  const config = options.queueUrl ? withQueueUrl(loaded.config, options.queueUrl) : loaded.config;
  const { token, source } = resolveServerToken(options.home, options.env);
  const warnAudit = (error: unknown): void => options.logger.warn(`could not write the audit log: ${errorMessage(error)}`);
  const audit = createAuditLog(options.home);
  try {
    audit.noteConfigInUse(loaded.source.path, readFileSync(loaded.source.path, 'utf8'), 'api');
  } catch (error) {
    warnAudit(error);
  }
  // The service redacts secrets by their variables' names: naming the token makes it one of them,
  // so a task text, an agent's output or an event that quotes it never stores or streams it.
  const serviceEnv = { ...options.env, AI_ORCHESTRATOR_TOKEN: token };
  // With a queue, the server is its tasks' coordinator: they go to the workers, their events come back here.
  const local = createTaskService({ home: options.home, config, logger: options.logger, env: serviceEnv, baseDir: options.workspace, queueSubmissions: Boolean(config.settings.queue) });
  for (const id of local.interrupted) options.logger.warn(`task ${id} was left unfinished by a process that ended; marked interrupted`);
  const service = auditTaskService(local, audit, { source: 'api', onError: warnAudit });
  const endpointContext = { service, home: options.home, logger: options.logger, version: packageVersion(), baseDir: options.workspace, env: options.env };
  const endpoints = await Promise.all((options.endpoints ?? []).map((create) => create(endpointContext)));
  const server = await createServerApp({
    service,
    endpoints,
    token,
    home: options.home,
    env: options.env,
    workspace: options.workspace,
    loadConfig: load,
    audit,
    ...(options.configPath ? { configPath: options.configPath } : {}),
    logger: options.logger,
    version: packageVersion(),
    allowedHosts: [...(isLoopback(options.host) || options.host === '0.0.0.0' || options.host === '::' ? [] : [options.host]), ...(options.allowedHosts ?? [])],
    ...(options.allowConfigCommands ? { allowConfigCommands: true } : {}),
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    ...(options.slowClients ? { slowClients: options.slowClients } : {}),
  });
  const { attachLiveEvents } = await import('./live-events.js');
  const live = attachLiveEvents(server);
  await server.app.listen({ host: options.host, port: options.port });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}`;
  const loginLink = (): string => `${url}/login?code=${server.guard.newLoginCode()}`;
  options.print(`ai-orchestrator serving on ${url}`);
  options.print(`open (one-time login link): ${loginLink()}`);
  options.print(source === 'env' ? 'API token: $AI_ORCHESTRATOR_TOKEN (send Authorization: Bearer <token>)' : `API token: in ${options.home}/server-token (send Authorization: Bearer <token>)`);

  let closing: Promise<void> | undefined;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const close = (closeOptions: { readonly drain?: boolean } = {}): Promise<void> => {
    closing ??= (async () => {
      if (closeOptions.drain ?? options.drain) {
        while (service.running().length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
      await service.close();
      await live.close();
      await server.app.close();
      resolveClosed();
    })();
    return closing;
  };
  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals): void => {
      const running = service.running().length;
      options.logger.info(`${signal}: ${options.drain ? `waiting for ${running} running task(s)` : `cancelling ${running} running task(s)`}, then stopping`);
      void close().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { url, service, server, loginLink, close, closed };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
