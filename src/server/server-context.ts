/** What every route of one server shares. */
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import type { AuditLog } from '../security/audit-log.js';
import type { Redactor } from '../security/redact.js';
import type { TaskService } from '../service/task-service.js';
import type { ApiRegistry } from './api-route.js';
import type { ClientSessions } from './client-sessions.js';
import type { SlowClientLimits } from './slow-clients.js';

export interface ServerContext {
  readonly service: TaskService;
  readonly api: ApiRegistry;
  readonly sessions: ClientSessions;
  /** $AI_ORCHESTRATOR_HOME. */
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  /** The directory tasks run in by default and /api/files is confined to. */
  readonly workspace: string;
  /** Reads the configuration file again (readiness, the config editor). */
  readonly loadConfig: () => LoadedConfig;
  /** `--config`, when given (else the usual search: project, home, built-in). */
  readonly configPath?: string;
  /** Whether a config PUT may change an agent's command, args or env. */
  readonly allowConfigCommands: boolean;
  readonly audit?: Pick<AuditLog, 'append' | 'noteConfigInUse'>;
  readonly logger: Logger;
  /** Redacts the secrets the service redacts (ours, the token, the agents' env) from what a route sends. */
  readonly redact: Redactor;
  readonly version: string;
  /** When SSE and Socket.IO clients that do not read are disconnected. */
  readonly slowClients: SlowClientLimits;
}
