/**
 * Execution reports (settings.create_reports): `reports_dir/exec_<task_id>.json`, the result
 * JSON plus the task and where it ran, and `output_dir/<task_id>.md`, the final output for
 * people. Relative directories resolve under $AI_ORCHESTRATOR_HOME — the same home as the
 * database (the original wrote reports and its database to two different places).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

export function writeReports(input: ReportInput, dirs: ReportDirs): WrittenReports {
  const reportsDir = path.resolve(dirs.home, dirs.reportsDir);
  const outputDir = path.resolve(dirs.home, dirs.outputDir);
  mkdirSync(reportsDir, { recursive: true });
  mkdirSync(outputDir, { recursive: true });
  const id = input.outcome.taskId;
  const report = path.join(reportsDir, `exec_${id}.json`);
  const output = path.join(outputDir, `${id}.md`);
  const json = {
    ...resultJson(input.outcome),
    task: input.task,
    cwd: input.cwd,
    project_id: input.projectId ?? null,
    started_at: input.startedAt,
    finished_at: input.finishedAt,
  };
  writeFileSync(report, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(output, markdown(input));
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
