/**
 * `ai-orchestrator audit verify|list`: the audit trail from the command line. `verify` walks the
 * hash chain and names the first line that was changed, removed or inserted (exit code 1);
 * `list` shows the records.
 */
import type { Command } from 'commander';
import { OrchestratorError } from '../../shared/errors.js';
import { createDataContext } from '../data-context.js';
import { printJson, printLine, printTable } from '../output.js';

interface ListOptions {
  readonly json?: boolean;
  readonly type?: string;
  readonly limit?: string;
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the audit trail of tasks, configuration changes and refused callers: verify it, list it');

  audit
    .command('verify')
    .description('check the hash chain; names the first line changed, removed or inserted (exit code 1)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = createDataContext(command);
      const { createAuditLog } = await import('../../security/audit-log.js');
      const log = createAuditLog(context.home);
      const result = log.verify();
      if (!result.ok) throw new OrchestratorError('AUDIT_BROKEN', `${log.file}:${result.line}: ${result.problem}`);
      if (options.json) printJson({ ok: true, file: log.file, records: result.records });
      else printLine(`intact: ${result.records} record${result.records === 1 ? '' : 's'} in ${log.file}`);
    });

  audit
    .command('list')
    .description('the records, oldest first')
    .option('--json', 'print JSON')
    .option('--type <type>', 'only records of this type (e.g. task.finished, config.changed)')
    .option('--limit <n>', 'only the newest n')
    .action(async (options: ListOptions, command: Command) => {
      const context = createDataContext(command);
      const { AUDIT_TYPES, createAuditLog } = await import('../../security/audit-log.js');
      if (options.type !== undefined && !(AUDIT_TYPES as readonly string[]).includes(options.type)) {
        throw new OrchestratorError('INVALID_INPUT', `unknown record type "${options.type}" (${AUDIT_TYPES.join(', ')})`);
      }
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000)) {
        throw new OrchestratorError('INVALID_INPUT', `--limit must be a whole number from 1 to 1000000 (got "${options.limit}")`);
      }
      const all = createAuditLog(context.home)
        .list()
        .filter((record) => options.type === undefined || record.type === options.type);
      const records = limit === undefined ? all : all.slice(-limit);
      if (options.json) {
        printJson({ records });
        return;
      }
      if (records.length === 0) {
        printLine('no audit records');
        return;
      }
      printTable(
        ['SEQ', 'AT', 'TYPE', 'USER', 'DETAILS'],
        records.map((r) => [
          String(r.seq),
          r.at.replace('T', ' ').slice(0, 19),
          r.type,
          r.user,
          Object.entries(r.data)
            .map(([key, value]) => `${key}=${String(value)}`)
            .join(' '),
        ]),
      );
    });
}
