/** The task service as a command opens it: this home, this config, this logger, this directory. */
import { createTaskService, type TaskService } from '../service/task-service.js';
import type { CliContext } from './context.js';

export function openCliTaskService(context: CliContext): TaskService {
  const service = createTaskService({
    home: context.home,
    config: context.config().config,
    logger: context.logger(),
    env: context.env,
    baseDir: context.cwd,
  });
  for (const id of service.interrupted) context.logger().warn(`task ${id} was left unfinished by a process that ended; marked interrupted`);
  return service;
}
