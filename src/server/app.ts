/**
 * The web server as a fastify app, without listening: tests drive it with `inject()`, `serve`
 * listens. Every request passes the guard (Host, Origin, token) before any route runs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { LoadedConfig } from '../config/load.js';
import type { AuditLog } from '../security/audit-log.js';
import { createRedactor, secretValues } from '../security/redact.js';
import type { Logger } from '../observability/logger.js';
import type { TaskService } from '../service/task-service.js';
import { ApiRegistry } from './api-route.js';
import { createClientSessions } from './client-sessions.js';
import { createGuard, type Guard } from './guard.js';
import { errorBody, handleError } from './http-errors.js';
import { registerCatalogRoutes } from './routes/catalog-routes.js';
import { registerConfigRoutes } from './routes/config-routes.js';
import { registerFileRoutes } from './routes/file-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerMemoryRoutes } from './routes/memory-routes.js';
import { registerMetricsRoutes } from './routes/metrics-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerTaskDiffRoutes } from './routes/task-diff-routes.js';
import { registerTaskEventRoutes } from './routes/task-event-routes.js';
import { registerTaskRoutes } from './routes/task-routes.js';
import type { ServerContext } from './server-context.js';
import { slowClientLimits, type SlowClientLimits } from './slow-clients.js';
import type { HttpEndpoint } from '../service/http-endpoint.js';

export interface ServerAppOptions {
  readonly service: TaskService;
  readonly token: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly workspace: string;
  readonly loadConfig: () => LoadedConfig;
  readonly configPath?: string;
  readonly logger: Logger;
  readonly version: string;
  /** Host names besides the loopback ones (the bind address, a reverse proxy's name). */
  readonly allowedHosts?: readonly string[];
  readonly allowConfigCommands?: boolean;
  /** The audit log: failed logins and configuration saves are recorded there. */
  readonly audit?: Pick<AuditLog, 'append' | 'noteConfigInUse'>;
  /** The built UI (index.html + assets); default: the package's dist/ui when it exists. */
  readonly uiDir?: string;
  /** Other surfaces' endpoints (MCP's `/mcp`), mounted behind the same guard. */
  readonly endpoints?: readonly HttpEndpoint[];
  /** When live-events clients that do not read are disconnected (default: 500 packets, 10 s). */
  readonly slowClients?: Partial<SlowClientLimits>;
}

export interface ServerApp {
  readonly app: FastifyInstance;
  readonly guard: Guard;
  readonly context: ServerContext;
}

export async function createServerApp(options: ServerAppOptions): Promise<ServerApp> {
  const app = Fastify({ logger: false, bodyLimit: 1_048_576, return503OnClosing: true });
  const audit = options.audit;
  const guard = createGuard({
    token: options.token,
    allowedHosts: options.allowedHosts ?? [],
    ...(audit ? { onAuthFailed: throttledAuthAudit(audit, options.logger) } : {}),
  });
  const api = new ApiRegistry(app);
  const context: ServerContext = {
    service: options.service,
    api,
    sessions: createClientSessions(),
    home: options.home,
    env: options.env,
    workspace: options.workspace,
    loadConfig: options.loadConfig,
    ...(options.configPath ? { configPath: options.configPath } : {}),
    allowConfigCommands: options.allowConfigCommands ?? false,
    ...(audit ? { audit } : {}),
    logger: options.logger,
    redact: createRedactor([
      ...secretValues({ ...options.env, AI_ORCHESTRATOR_TOKEN: options.token }),
      ...Object.values(options.service.config.agents).flatMap((agent) => secretValues(agent.env)),
    ]),
    version: options.version,
    slowClients: slowClientLimits(options.slowClients),
  };
  app.addHook('onRequest', (request, reply) => guard.check(request, reply));
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`)));

  app.get('/login', async (request, reply) => {
    const code = (request.query as Record<string, unknown>)['code'];
    if (!guard.redeem(typeof code === 'string' ? code : undefined, reply)) {
      return reply.status(401).send(errorBody('LOGIN_LINK_USED', 'this login link is unknown or was used already: restart `serve` or ask it for a new one'));
    }
    return reply.redirect('/', 303);
  });

  registerHealthRoutes(context);
  registerCatalogRoutes(context);
  registerSessionRoutes(context);
  registerTaskRoutes(context);
  registerTaskEventRoutes(context);
  registerTaskDiffRoutes(context);
  registerMemoryRoutes(context);
  registerConfigRoutes(context);
  registerFileRoutes(context);
  registerMetricsRoutes(context);
  for (const endpoint of options.endpoints ?? []) {
    app.all(endpoint.path, async (request, reply) => {
      reply.hijack();
      await endpoint.handle(request.raw, reply.raw, request.body);
    });
  }
  api.route({ method: 'GET', url: '/api/openapi.json', summary: 'this API described as OpenAPI 3.1', handler: () => api.openapi(options.version) });

  const uiDir = options.uiDir ?? defaultUiDir();
  if (uiDir) {
    const { default: fastifyStatic } = await import('@fastify/static');
    await app.register(fastifyStatic, { root: uiDir, index: ['index.html'], wildcard: false });
  }
  return { app, guard, context };
}

/** At most one `auth.failed` record per address a minute: a scanner cannot flood the audit log. */
function throttledAuthAudit(audit: Pick<AuditLog, 'append'>, logger: Logger): (details: { method: string; path: string; remote: string }) => void {
  const last = new Map<string, number>();
  return (details) => {
    const now = Date.now();
    if (now - (last.get(details.remote) ?? 0) < 60_000) return;
    if (last.size > 10_000) last.clear();
    last.set(details.remote, now);
    try {
      audit.append({ type: 'auth.failed', source: 'api', method: details.method, path: details.path.slice(0, 200), remote: details.remote });
    } catch (error) {
      logger.warn(`could not write the audit log: ${String(error)}`);
    }
  };
}

/** dist/ui next to the compiled server (dist/server), or the package's dist/ui when run from sources. */
function defaultUiDir(): string | undefined {
  for (const candidate of ['../ui', '../../dist/ui']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  return undefined;
}
