/** The task service as a command opens it: this home, this config, this logger, this directory. */
import { auditTaskService } from '../service/service-audit.js';
import { createTaskService, type TaskService } from '../service/task-service.js';
import { errorMessage } from '../shared/errors.js';
import type { CliContext } from './context.js';
import { openRunAudit } from './run-audit.js';

import type { OrchestratorConfig } from '../config/schema.js';

/** `config`: the command's own (`run --queue URL` sets the queue over the file's). */
export function openCliTaskService(context: CliContext, options: { readonly config?: OrchestratorConfig } = {}): TaskService {
  const service = createTaskService({
    home: context.home,
    config: options.config ?? context.config().config,
    logger: context.logger(),
    env: context.env,
    baseDir: context.cwd,
  });
  for (const id of service.interrupted) context.logger().warn(`task ${id} was left unfinished by a process that ended; marked interrupted`);
  return auditTaskService(service, openRunAudit(context), {
    source: 'cli',
    onError: (error) => context.logger().warn(`could not write the audit log: ${errorMessage(error)}`),
  });
}
