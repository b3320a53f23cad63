/**
 * The audit log as a command that runs the task service opens it: the configuration in use is
 * noted first (a `config.changed` record when its content differs from the last one recorded);
 * the service's task events are recorded by service/service-audit.ts. An audit log that cannot
 * be written is a warning, not a failed task.
 */
import { readFileSync } from 'node:fs';
import { createAuditLog, type AuditLog } from '../security/audit-log.js';
import { errorMessage } from '../shared/errors.js';
import type { CliContext } from './context.js';

export function openRunAudit(context: CliContext): AuditLog {
  const audit = createAuditLog(context.home);
  const { source } = context.config();
  try {
    audit.noteConfigInUse(source.path, readFileSync(source.path, 'utf8'), 'cli');
  } catch (error) {
    context.logger().warn(`could not write the audit log: ${errorMessage(error)}`);
  }
  return audit;
}
