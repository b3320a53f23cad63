/**
 * The engine and the context memory, through the real CLI: a finished task is stored in the
 * home's memory under its project, found by `context search` with words from its description
 * within that project and not from another one, and handed to the next task of the project as
 * prompt context, as are the project's files that match the task.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');

function project(name: string): string {
  const dir = path.join(tempDir('aio-proj-'), name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'README.md'), `# ${name}\n\nA small project.\n`);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, dependencies: { express: '^4' } }));
  mkdirSync(path.join(dir, 'lib'));
  writeFileSync(path.join(dir, 'lib', 'pedestrian-signal.ts'), '/** Timing of the pedestrian signal at a crossing. */\nexport function signalPhases() {}\n');
  return dir;
}

describe('run with context memory', () => {
  it('stores the task under its project: found from that project, not from another, and offered to the next task', async () => {
    const home = tempDir('aio-home-');
    const work = tempDir('aio-work-');
    const promptFile = path.join(work, '..', `prompt-${path.basename(work)}.txt`);
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    writeFileSync(
      config,
      stringify({
        agents: {
          impl: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'Built the pedestrian signal controller.', FAKE_STDIN_FILE: promptFile } },
        },
        workflows: { default: [{ agent: 'impl', task: 'implement' }] },
        settings: { enable_context_memory: true },
      }),
    );
    const projectA = project('crossings');
    const projectB = project('billing');
    const env = { AI_ORCHESTRATOR_HOME: home };

    const first = await runCli(
      ['run', 'Implement the zebra crossing pedestrian signal controller', '--json', '--config', config, '--cwd', work, '--project', projectA],
      { env },
    );
    expect(first.code, first.stderr).toBe(0);
    const taskId = (JSON.parse(first.stdout) as { task_id: string }).task_id;
    // The project was scanned for the task: its matching file is named in the prompt.
    expect(readFileSync(promptFile, 'utf8')).toContain('- lib/pedestrian-signal.ts — Timing of the pedestrian signal at a crossing. (signalPhases)');

    const search = async (projectDir: string): Promise<{ id: string; type: string }[]> => {
      const result = await runCli(['context', 'search', 'zebra', 'crossing', 'pedestrian', '--project', projectDir, '--type', 'task', '--json'], { env });
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { results: { id: string; type: string }[] }).results;
    };
    expect((await search(projectA)).some((hit) => hit.id.includes(taskId))).toBe(true);
    expect((await search(projectB)).some((hit) => hit.id.includes(taskId))).toBe(false);
    const projects = await runCli(['context', 'projects', '--json'], { env });
    expect(projects.stdout).toContain('crossings');

    // The next task of the same project gets the earlier one as context in its prompt, and the
    // project's files as they are now (a file added since the first task is rescanned in).
    writeFileSync(path.join(projectA, 'lib', 'countdown.ts'), '// Countdown shown to pedestrians waiting at the signal.\nexport function countdown() {}\n');
    const second = await runCli(
      ['run', 'Add a countdown to the zebra crossing pedestrian signal', '--config', config, '--cwd', work, '--project', projectA],
      { env },
    );
    expect(second.code, second.stderr).toBe(0);
    const prompt = readFileSync(promptFile, 'utf8');
    expect(prompt).toContain('Add a countdown');
    expect(prompt).toContain('Implement the zebra crossing pedestrian signal controller');
    expect(prompt).toContain('- lib/countdown.ts — Countdown shown to pedestrians waiting at the signal. (countdown)');

    // From another project, it is not offered.
    const third = await runCli(
      ['run', 'Add a countdown to the zebra crossing pedestrian signal', '--config', config, '--cwd', work, '--project', projectB],
      { env },
    );
    expect(third.code, third.stderr).toBe(0);
    expect(readFileSync(promptFile, 'utf8')).not.toContain('Implement the zebra crossing pedestrian signal controller');
  });
});

describe('run without a named project', () => {
  it('keeps memory per git repository: the repository of --cwd is the project', async () => {
    const home = tempDir('aio-home-');
    const config = path.join(tempDir('aio-cfg-'), 'agents.yaml');
    writeFileSync(
      config,
      stringify({
        agents: { impl: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'Wired the tram schedule importer.' } } },
        workflows: { default: [{ agent: 'impl', task: 'implement' }] },
      }),
    );
    const repo = project('trams');
    mkdirSync(path.join(repo, '.git'));
    const sub = path.join(repo, 'src');
    mkdirSync(sub);
    const other = project('ferries');
    mkdirSync(path.join(other, '.git'));
    const env = { AI_ORCHESTRATOR_HOME: home };

    // Agents work in a subdirectory of the repository; the project is the repository's root.
    const run = await runCli(['run', 'Import the tram timetable feed', '--json', '--config', config, '--cwd', sub], { env });
    expect(run.code, run.stderr).toBe(0);
    const taskId = (JSON.parse(run.stdout) as { task_id: string }).task_id;

    const search = async (projectDir: string) =>
      (JSON.parse((await runCli(['context', 'search', 'tram', 'timetable', '--project', projectDir, '--type', 'task', '--json'], { env })).stdout) as {
        results: { id: string }[];
      }).results;
    expect((await search(repo)).some((hit) => hit.id.includes(taskId))).toBe(true);
    expect((await search(other)).some((hit) => hit.id.includes(taskId))).toBe(false);
    const shown = JSON.parse((await runCli(['tasks', 'show', taskId, '--json'], { env })).stdout) as { project_id: string | null };
    expect(shown.project_id).toMatch(/^[0-9a-f]{16}$/);
  });
});
