import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyProposedChanges, parseProposedChanges } from './local-edits.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'aio-edits-'));

describe('parseProposedChanges', () => {
  it('recognises path=, language:path, a bare path and a label line before the fence', () => {
    const text = [
      '```ts path=src/a.ts',
      'export const a = 1;',
      '```',
      '```python:tools/b.py',
      'print("b")',
      '```',
      '```src/c.js',
      'c();',
      '```',
      'File: docs/d.md',
      '```markdown',
      '# D',
      '```',
      '**File:** `e/e.go`',
      '',
      '```go',
      'package e',
      '```',
      '### src/f.rs',
      '```rust',
      'fn f() {}',
      '```',
    ].join('\n');
    expect(parseProposedChanges(text)).toEqual([
      { path: 'src/a.ts', content: 'export const a = 1;\n', language: 'ts' },
      { path: 'tools/b.py', content: 'print("b")\n', language: 'python' },
      { path: 'src/c.js', content: 'c();\n' },
      { path: 'docs/d.md', content: '# D\n', language: 'markdown' },
      { path: 'e/e.go', content: 'package e\n', language: 'go' },
      { path: 'src/f.rs', content: 'fn f() {}\n', language: 'rust' },
    ]);
  });

  it('ignores code blocks without a path, unclosed blocks and prose before a fence', () => {
    const text = ['Here is an example:', '```ts', 'const x = 1;', '```', '```ts path=src/open.ts', 'never closed'].join('\n');
    expect(parseProposedChanges(text)).toEqual([]);
  });

  it('keeps the last block when a path appears twice', () => {
    const text = ['```ts path=a.ts', 'one', '```', '```ts path=a.ts', 'two', '```'].join('\n');
    expect(parseProposedChanges(text)).toEqual([{ path: 'a.ts', content: 'two\n', language: 'ts' }]);
  });
});

describe('applyProposedChanges', () => {
  it('writes inside the working directory, creating folders, and reports add vs update', () => {
    const cwd = tmp();
    writeFileSync(path.join(cwd, 'old.txt'), 'old');
    const outcomes = applyProposedChanges(
      [
        { path: 'deep/new/file.ts', content: 'new\n' },
        { path: 'old.txt', content: 'updated\n' },
      ],
      cwd,
    );
    expect(outcomes.map((o) => [o.status, o.path, o.status === 'written' ? o.kind : ''])).toEqual([
      ['written', 'deep/new/file.ts', 'add'],
      ['written', 'old.txt', 'update'],
    ]);
    expect(readFileSync(path.join(cwd, 'deep/new/file.ts'), 'utf8')).toBe('new\n');
  });

  it('refuses .., absolute paths outside, symlinks out of the cwd and .git', () => {
    const root = tmp();
    const cwd = path.join(root, 'project');
    const outside = path.join(root, 'outside');
    mkdirSync(cwd);
    mkdirSync(outside);
    symlinkSync(outside, path.join(cwd, 'link'));
    symlinkSync(path.join(outside, 'target.txt'), path.join(cwd, 'dangling.txt'));
    const outcomes = applyProposedChanges(
      [
        { path: '../escape.txt', content: 'x' },
        { path: path.join(outside, 'abs.txt'), content: 'x' },
        { path: 'link/through.txt', content: 'x' },
        { path: 'dangling.txt', content: 'x' },
        { path: '.git/config', content: 'x' },
        { path: path.join(cwd, 'inside-abs.txt'), content: 'ok\n' },
      ],
      cwd,
    );
    expect(outcomes.map((o) => o.status)).toEqual(['refused', 'refused', 'refused', 'refused', 'refused', 'written']);
    for (const outcome of outcomes.slice(0, 5)) expect(outcome.status === 'refused' && outcome.reason.length > 0).toBe(true);
    expect(existsSync(path.join(root, 'escape.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'abs.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'through.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'target.txt'))).toBe(false);
    expect(readFileSync(path.join(cwd, 'inside-abs.txt'), 'utf8')).toBe('ok\n');
  });
});
