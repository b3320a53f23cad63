/**
 * Execution reports (settings.create_reports): `reports_dir/exec_<task_id>.json`, the result
 * JSON plus the task and where it ran, and `output_dir/<task_id>.md`, the final output for
 * people. Relative directories resolve under $AI_ORCHESTRATOR_HOME — the same home as the
 * database (the original wrote reports and its database to two different places).
 */
import path from 'node:path';
import { createRedactor, type Redactor } from '../security/redact.js';
import { ensurePrivateDir, writePrivateFile } from '../storage/private-files.js';
import type { TaskOutcome } from './engine.js';
import { resultJson } from './result-json.js';

export interface ReportInput {
  readonly outcome: TaskOutcome;
  readonly task: string;
  readonly cwd: string;
  readonly projectId?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface ReportDirs {
  readonly home: string;
  readonly reportsDir: string;
  readonly outputDir: string;
}

export interface WrittenReports {
  readonly report: string;
  readonly output: string;
}

/**
 * Writes both files, private to the user (0600 in 0700 folders). The task text and the final
 * output pass through `redact` once more: a report is a file people share.
 */
export function writeReports(input: ReportInput, dirs: ReportDirs, redact: Redactor = createRedactor()): WrittenReports {
  const reportsDir = path.resolve(dirs.home, dirs.reportsDir);
  const outputDir = path.resolve(dirs.home, dirs.outputDir);
  ensurePrivateDir(reportsDir);
  ensurePrivateDir(outputDir);
  const id = input.outcome.taskId;
  const safe: ReportInput = {
    ...input,
    task: redact(input.task),
    outcome: { ...input.outcome, finalOutput: redact(input.outcome.finalOutput) },
  };
  const report = path.join(reportsDir, `exec_${id}.json`);
  const output = path.join(outputDir, `${id}.md`);
  const json = {
    ...resultJson(safe.outcome),
    task: safe.task,
    cwd: safe.cwd,
    project_id: safe.projectId ?? null,
    started_at: safe.startedAt,
    finished_at: safe.finishedAt,
  };
  writePrivateFile(report, `${JSON.stringify(json, null, 2)}\n`);
  writePrivateFile(output, markdown(safe));
  return { report, output };
}

function markdown(input: ReportInput): string {
  const { outcome } = input;
  const rows = outcome.steps.map(
    (s) =>
      `| ${s.iteration} | ${s.agent}${s.fallbackFrom ? ` (for ${s.fallbackFrom})` : ''} | ${s.role} | ${s.success ? 'ok' : `failed: ${s.error?.kind ?? ''}`} | ${s.role === 'review' ? s.suggestions.length : ''} | ${s.filesModified.join(', ')} |`,
  );
  return [
    `# ${input.task.split('\n')[0] ?? 'Task'}`,
    '',
    `- task id: \`${outcome.taskId}\``,
    `- workflow: ${outcome.workflow}, ${outcome.iterations} iteration(s)`,
    `- status: ${outcome.status} (${outcome.stopReason}: ${outcome.reason})`,
    `- working directory: ${input.cwd}`,
    `- finished: ${input.finishedAt}`,
    '',
    '## Final output',
    '',
    outcome.finalOutput || '_(none)_',
    '',
    '## Steps',
    '',
    '| iteration | agent | role | result | suggestions | files |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
