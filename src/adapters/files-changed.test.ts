import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChangeDetector, detectChangedFiles, unwalkableReason } from './files-changed.js';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    stdio: 'ignore',
  });
}

/** A repository with committed files a.txt, b.txt, dir/c.txt, d.txt. */
function repo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-files-git-'));
  git(dir, 'init', '-q');
  mkdirSync(path.join(dir, 'dir'));
  for (const file of ['a.txt', 'b.txt', 'dir/c.txt', 'd.txt']) writeFileSync(path.join(dir, file), `${file}\n`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

function plain(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-files-plain-'));
  mkdirSync(path.join(dir, 'dir'));
  for (const file of ['a.txt', 'b.txt', 'dir/c.txt', 'd.txt']) writeFileSync(path.join(dir, file), `${file}\n`);
  return dir;
}

describe.each([
  ['a git repository', repo],
  ['a plain directory', plain],
])('detectChangedFiles in %s', (_label, make) => {
  it('reports created, modified and deleted files relative to cwd', async () => {
    const dir = make();
    const finish = await detectChangedFiles(dir);
    writeFileSync(path.join(dir, 'new.txt'), 'new\n');
    mkdirSync(path.join(dir, 'deep/er'), { recursive: true });
    writeFileSync(path.join(dir, 'deep/er/file.ts'), 'x\n');
    writeFileSync(path.join(dir, 'a.txt'), 'changed, longer content\n');
    rmSync(path.join(dir, 'dir/c.txt'));
    expect(await finish()).toEqual(['a.txt', 'deep/er/file.ts', 'dir/c.txt', 'new.txt']);
  });

  it('reports nothing when nothing changed, even with files dirty before the run', async () => {
    const dir = make();
    writeFileSync(path.join(dir, 'b.txt'), 'dirty before the run\n');
    writeFileSync(path.join(dir, 'untracked-before.txt'), 'here before\n');
    const finish = await detectChangedFiles(dir);
    expect(await finish()).toEqual([]);
  });

  it('reports a file dirty before the run that the run changed again (same size)', async () => {
    const dir = make();
    writeFileSync(path.join(dir, 'b.txt'), 'dirty version 1\n');
    const finish = await detectChangedFiles(dir);
    await new Promise((resolve) => setTimeout(resolve, 15));
    writeFileSync(path.join(dir, 'b.txt'), 'dirty version 2\n');
    expect(await finish()).toEqual(['b.txt']);
  });

  it('reports paths relative to a subdirectory cwd and ignores changes outside it', async () => {
    const root = make();
    const dir = path.join(root, 'dir');
    const finish = await detectChangedFiles(dir);
    writeFileSync(path.join(dir, 'inside.txt'), 'in\n');
    writeFileSync(path.join(root, 'outside.txt'), 'out\n');
    writeFileSync(path.join(dir, 'c.txt'), 'modified c\n');
    expect(await finish()).toEqual(['c.txt', 'inside.txt']);
  });
});

describe('detectChangedFiles specifics', () => {
  it('in a git repository, does not report ignored files', async () => {
    const dir = repo();
    writeFileSync(path.join(dir, '.gitignore'), 'build/\n');
    git(dir, 'add', '.gitignore');
    git(dir, 'commit', '-q', '-m', 'ignore');
    const finish = await detectChangedFiles(dir);
    mkdirSync(path.join(dir, 'build'));
    writeFileSync(path.join(dir, 'build/out.js'), 'x\n');
    writeFileSync(path.join(dir, 'src.ts'), 'x\n');
    expect(await finish()).toEqual(['src.ts']);
  });

  it('in a git repository, reports a dirty file the run restored to its committed state', async () => {
    const dir = repo();
    writeFileSync(path.join(dir, 'd.txt'), 'dirty\n');
    const finish = await detectChangedFiles(dir);
    git(dir, 'checkout', '--', 'd.txt');
    expect(await finish()).toEqual(['d.txt']);
  });

  it('in a git repository, reports a renamed file by both names', async () => {
    const dir = repo();
    const finish = await detectChangedFiles(dir);
    git(dir, 'mv', 'a.txt', 'renamed.txt');
    expect(await finish()).toEqual(['a.txt', 'renamed.txt']);
  });

  it('in a plain directory, skips dependency folders', async () => {
    const dir = plain();
    const finish = await detectChangedFiles(dir);
    mkdirSync(path.join(dir, 'node_modules/pkg'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules/pkg/index.js'), 'x\n');
    expect(await finish()).toEqual([]);
  });
});

describe('detectChangedFiles with renames across the cwd boundary', () => {
  it('reports only the side of a rename that lies inside cwd', async () => {
    const root = repo();
    const dir = path.join(root, 'dir');
    const finish = await detectChangedFiles(dir);
    git(root, 'mv', 'a.txt', 'dir/moved-in.txt');
    expect(await finish()).toEqual(['moved-in.txt']);
  });
});

describe('change detection outside git is bounded', () => {
  it('skips build and vendor folders of other ecosystems too', async () => {
    const dir = plain();
    const finish = await detectChangedFiles(dir);
    for (const folder of ['vendor/lib', '.venv/bin', 'target/debug', '.cache/x', '.svn']) {
      mkdirSync(path.join(dir, folder), { recursive: true });
      writeFileSync(path.join(dir, folder, 'f'), 'x\n');
    }
    expect(await finish()).toEqual([]);
  });

  it('stops at max_files, and a file created before the cut does not make the files pushed past it look deleted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-files-cap-'));
    for (let i = 10; i < 30; i++) writeFileSync(path.join(dir, `f${i}.txt`), `${i}\n`);
    const finish = await createChangeDetector({ maxFiles: 5 })(dir);
    writeFileSync(path.join(dir, 'a-first.txt'), 'sorts before every other file\n');
    writeFileSync(path.join(dir, 'f11.txt'), 'changed, inside the cut\n');
    writeFileSync(path.join(dir, 'f25.txt'), 'changed, beyond the cut: not seen\n');
    expect(await finish()).toEqual(['a-first.txt', 'f11.txt']);
  });

  it('never walks the home directory, a temp folder or the root, nor reports other programs\' files there', async () => {
    expect(unwalkableReason(os.homedir())).toBe('it is your home directory');
    expect(unwalkableReason(os.tmpdir())).toBe('it is a shared temporary folder');
    expect(unwalkableReason('/')).toBe('it is the filesystem root');
    expect(unwalkableReason(path.dirname(realpathSync(os.homedir())))).toMatch(/root|contains your home/);
    expect(unwalkableReason(plain())).toBeUndefined();
    const finish = await detectChangedFiles(os.tmpdir());
    const other = path.join(os.tmpdir(), `aio-other-program-${process.pid}.txt`);
    writeFileSync(other, 'written by someone else\n');
    try {
      expect(await finish()).toEqual([]);
    } finally {
      rmSync(other, { force: true });
    }
  });
});

describe('git outside a repository', () => {
  it('is not started where no .git marks a work tree; inside one it is', async () => {
    // A git that records its calls, first on PATH.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'aio-fake-git-'));
    const calls = path.join(bin, 'calls');
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$1" >> '${calls}'\nexec '${real}' "$@"\n`);
    chmodSync(path.join(bin, 'git'), 0o755);
    const original = process.env['PATH'];
    process.env['PATH'] = `${bin}${path.delimiter}${original ?? ''}`;
    try {
      const outside = plain();
      const finish = await createChangeDetector()(outside);
      writeFileSync(path.join(outside, 'new.txt'), 'new\n');
      expect(await finish()).toEqual(['new.txt']);
      expect(existsSync(calls)).toBe(false);

      const inside = repo();
      const finishInside = await createChangeDetector()(inside);
      writeFileSync(path.join(inside, 'new.txt'), 'new\n');
      expect(await finishInside()).toEqual(['new.txt']);
      expect(readFileSync(calls, 'utf8')).toContain('rev-parse');
    } finally {
      process.env['PATH'] = original;
    }
  });
});

