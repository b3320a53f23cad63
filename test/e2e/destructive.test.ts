/**
 * Destructive commands are careful: `context delete-project` never takes an empty argument as
 * "the current directory", asks on a terminal, and refuses off a terminal without --yes; the
 * Obsidian export keeps a graph.json it cannot parse instead of replacing it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir } from '../helpers/cli.js';

interface Project {
  readonly home: string;
  readonly id: string;
  readonly dir: string;
}

async function scannedProject(): Promise<Project> {
  const home = tempDir('aio-home-');
  const dir = tempDir('aio-proj-');
  writeFileSync(path.join(dir, 'main.ts'), 'export {};\n');
  const scan = await runCli(['context', 'scan', dir, '--json'], { env: { AI_ORCHESTRATOR_HOME: home } });
  expect(scan.code, scan.stderr).toBe(0);
  return { home, dir, id: (JSON.parse(scan.stdout) as { project: { projectId: string } }).project.projectId };
}

async function projectCount(home: string): Promise<number> {
  const listed = await runCli(['context', 'projects', '--json'], { env: { AI_ORCHESTRATOR_HOME: home } });
  return (JSON.parse(listed.stdout) as { projects: unknown[] }).projects.length;
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`) and answers its question. */
function runOnTerminal(args: readonly string[], home: string, answer: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, AI_ORCHESTRATOR_HOME: home, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let answered = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (!answered && output.includes('[y/N]')) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}

describe('context delete-project', () => {
  it('refuses an empty argument instead of deleting the current directory’s project', async () => {
    const project = await scannedProject();
    // Run from inside the project: "" would resolve to it.
    const result = await runCli(['context', 'delete-project', '', '--yes'], { cwd: project.dir, env: { AI_ORCHESTRATOR_HOME: project.home } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('error: give the project id or path to delete (see "context projects")');
    expect(await projectCount(project.home)).toBe(1);
  });

  it('off a terminal, refuses without --yes in one line and deletes nothing', async () => {
    const project = await scannedProject();
    const result = await runCli(['context', 'delete-project', project.id], { env: { AI_ORCHESTRATOR_HOME: project.home } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('without a terminal: pass --yes to confirm');
    expect(await projectCount(project.home)).toBe(1);
  });

  it('with --yes deletes without asking', async () => {
    const project = await scannedProject();
    const result = await runCli(['context', 'delete-project', project.id, '--yes'], { env: { AI_ORCHESTRATOR_HOME: project.home } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^deleted \d+ nodes of project /);
    expect(await projectCount(project.home)).toBe(0);
  });

  it('on a terminal asks first: "n" keeps the project, "y" deletes it', async () => {
    const project = await scannedProject();
    const declined = await runOnTerminal(['context', 'delete-project', project.id], project.home, 'n');
    expect(declined.output).toContain(`memory nodes of project ${path.basename(project.dir)} (${project.id}`);
    expect(declined.output).toContain('nothing deleted');
    expect(declined.code).toBe(1);
    expect(await projectCount(project.home)).toBe(1);

    const agreed = await runOnTerminal(['context', 'delete-project', project.id], project.home, 'y');
    expect(agreed.output).toContain(`nodes of project ${project.id}`);
    expect(agreed.code).toBe(0);
    expect(await projectCount(project.home)).toBe(0);
  });
});

describe('context export --obsidian into a vault with a broken graph.json', () => {
  it('keeps the broken file aside, says so once, and writes a fresh one', async () => {
    const project = await scannedProject();
    const vault = tempDir('aio-vault-');
    mkdirSync(path.join(vault, '.obsidian'));
    const broken = '{ "colorGroups": [ { "query": "path:Journal" }, '; // cut off mid-edit
    writeFileSync(path.join(vault, '.obsidian', 'graph.json'), broken);
    const result = await runCli(['context', 'export', '--obsidian', vault], { env: { AI_ORCHESTRATOR_HOME: project.home } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/graph\.json did not parse/g)).toHaveLength(1);
    const aside = readdirSync(path.join(vault, '.obsidian')).filter((name) => name.startsWith('graph.json.invalid-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(vault, '.obsidian', aside[0]!), 'utf8')).toBe(broken);
    const fresh = JSON.parse(readFileSync(path.join(vault, '.obsidian', 'graph.json'), 'utf8')) as { colorGroups: unknown[] };
    expect(fresh.colorGroups).toHaveLength(11);
    expect(existsSync(path.join(vault, '_Index.md'))).toBe(true);
  });
});
