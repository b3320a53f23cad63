import { describe, expect, it } from 'vitest';
import { parseSlashCommand } from './slash-commands.js';

describe('parseSlashCommand', () => {
  it('parses commands with and without arguments', () => {
    expect(parseSlashCommand('/workflow')).toEqual({ kind: 'workflow' });
    expect(parseSlashCommand('/workflow  quick ')).toEqual({ kind: 'workflow', name: 'quick' });
    expect(parseSlashCommand('/show abc123')).toEqual({ kind: 'show', id: 'abc123' });
    expect(parseSlashCommand('/exit')).toEqual({ kind: 'exit' });
  });

  it('answers an unknown command or a missing argument with an error listing the commands', () => {
    const unknown = parseSlashCommand('/frobnicate now');
    expect(unknown.kind).toBe('error');
    expect(unknown.kind === 'error' && unknown.message).toMatch(/unknown command \/frobnicate \(commands: \/help,.*\/exit\)/);
    expect(parseSlashCommand('/show')).toEqual({ kind: 'error', message: 'usage: /show ID' });
  });
});
